# A counter object shared by two threads: `self.value += 1` is LOAD_ATTR, BINARY_OP, STORE_ATTR.
import threading


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self):
        self.value += 1


N = 2
counter = Counter()


def work():
    for _ in range(N):
        counter.increment()


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert counter.value == 2 * N, f"lost increments: {counter.value}"
