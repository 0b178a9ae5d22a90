"""A memoising cache class: the check and the insert happen under one lock."""
import threading


class Cache:
    def __init__(self):
        self._data = {}
        self._lock = threading.Lock()
        self.misses = 0

    def get_or_compute(self, key, compute):
        with self._lock:
            if key not in self._data:
                self.misses += 1
                self._data[key] = compute(key)
            return self._data[key]


def square(n):
    return n * n


cache = Cache()
results = []


def client():
    results.append(cache.get_or_compute(4, square))


clients = [threading.Thread(target=client) for _ in range(2)]
for c in clients:
    c.start()
for c in clients:
    c.join()
print(results, "misses:", cache.misses)
assert cache.misses == 1
