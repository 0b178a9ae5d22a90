"""Two tasks time their own work and report whether they met the deadline."""
import threading
import time

DEADLINE = 0.2  # seconds
report = []
lock = threading.Lock()


def task(name, work):
    start = time.perf_counter()
    total = 0
    for i in range(work):
        total += i
    elapsed = time.perf_counter() - start
    with lock:
        if elapsed > DEADLINE:
            report.append(f"{name}: late ({total})")
        else:
            report.append(f"{name}: on time ({total})")


threads = [threading.Thread(target=task, args=(name, work)) for name, work in (("a", 3), ("b", 4))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(report))
