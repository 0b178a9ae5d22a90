# A counter in an object attribute, `c.n += 1`: no call inside, so atomic on 3.10+ (2N) and racy on 3.9. Needs: classes, attributes.
import threading

N = 20000


class Counter:
    def __init__(self):
        self.n = 0


counter = Counter()
result = 0


def work():
    for _ in range(N):
        counter.n += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
result = counter.n
