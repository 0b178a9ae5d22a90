# A counter object shared by two threads: `self.count += 1` is LOAD_ATTR ... STORE_ATTR.
import threading


class Counter:
    """Counts."""

    step = 1

    def __init__(self, start):
        self.count = start

    def inc(self):
        self.count += self.step


class LockedCounter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def inc(self):
        with self.lock:
            self.count += 1


c = Counter(0)
lc = LockedCounter()


def work(obj):
    obj.inc()
    lc.inc()


t1 = threading.Thread(target=work, args=(c,))
t2 = threading.Thread(target=c.inc)
t3 = threading.Thread(target=lc.inc)
t1.start()
t2.start()
t3.start()
t1.join()
t2.join()
t3.join()
racy = c.count
locked = lc.count
assert locked == 2, f"locked count is {locked}"
