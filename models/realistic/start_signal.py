"""Workers wait for a start signal (an Event), then update shared totals under a lock."""
import threading

start = threading.Event()
lock = threading.Lock()
totals = {"done": 0}


def worker(n):
    start.wait()
    with lock:
        totals["done"] += n


workers = []
for n in (1, 2):
    workers.append(threading.Thread(target=worker, args=(n,)))
for w in workers:
    w.start()
start.set()
for w in workers:
    w.join()
print(totals)
