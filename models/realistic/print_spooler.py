"""A print spooler keeps its jobs in a deque; two printer threads take jobs from the left under
a lock, so every job is printed exactly once and no printer pops from an empty spooler."""
import threading
from collections import deque

spool = deque(["report", "invoice", "memo"])
spool_lock = threading.Lock()
printed = []


def printer(name):
    while True:
        with spool_lock:
            if not spool:
                return
            job = spool.popleft()
        printed.append((name, job))


printers = [threading.Thread(target=printer, args=(n,)) for n in ("p1", "p2")]
for p in printers:
    p.start()
for p in printers:
    p.join()

print("printed:", sorted(job for _, job in printed))
assert len(printed) == 3, f"{len(printed)} jobs printed"
