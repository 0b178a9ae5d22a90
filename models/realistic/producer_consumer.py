"""A producer puts items on a queue; a consumer takes them until it sees the sentinel."""
import queue
import threading

q = queue.Queue()
consumed = []


def producer(items):
    for item in items:
        q.put(item)
    q.put(None)


def consumer():
    while True:
        item = q.get()
        if item is None:
            break
        consumed.append(item * 10)


p = threading.Thread(target=producer, args=([1, 2, 3],))
c = threading.Thread(target=consumer)
p.start()
c.start()
p.join()
c.join()
print("consumed:", consumed)
assert consumed == [10, 20, 30]
