# A counter behind `@property`: `c.value += 1` runs the getter and the setter as Python frames, whose entries are switch points, so updates are lost on every version. Needs: classes, attributes, @property.
import threading

N = 20000


class Counter:
    def __init__(self):
        self._n = 0

    @property
    def value(self):
        return self._n

    @value.setter
    def value(self, v):
        self._n = v


counter = Counter()
result = 0


def work():
    for _ in range(N):
        counter.value += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
result = counter.value
