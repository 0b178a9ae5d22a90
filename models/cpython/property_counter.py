# A counter read through `@property`: `counter._n = counter.value + 1` runs the getter as a Python frame. Its entry is a switch point, but it lies before the getter's read; the getter returns from LOAD_ATTR (not a CALL, so no check even on 3.10), so on 3.10+ the update is atomic and only 3.9 loses updates. Needs: classes, attributes, @property.
import threading

N = 20000


class Counter:
    def __init__(self):
        self._n = 0

    @property
    def value(self):
        return self._n


counter = Counter()
result = 0


def work():
    for _ in range(N):
        counter._n = counter.value + 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
result = counter.value
