"""A small LRU cache on collections.OrderedDict, shared by a reader and a writer thread."""
import threading
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.data = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key not in self.data:
                return None
            self.data.move_to_end(key)
            return self.data[key]

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            if len(self.data) > self.capacity:
                self.data.popitem(last=False)


cache = LRUCache(capacity=2)
cache.put("home", "<h1>home</h1>")
cache.put("about", "<h1>about</h1>")
seen = []


def reader():
    seen.append(cache.get("home"))


def writer():
    cache.put("news", "<h1>news</h1>")


threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(list(cache.data), seen)
