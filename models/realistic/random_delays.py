"""Workers simulate work with random delays, then record their results under a lock."""
import random
import threading
import time

results = {}
lock = threading.Lock()


def task(n):
    time.sleep(random.uniform(0.05, 0.2))
    value = n * n
    with lock:
        results[n] = value
    print(f"task {n} finished")


threads = []
for i in range(1, 3):
    t = threading.Thread(target=task, args=(i,))
    threads.append(t)
    t.start()
for t in threads:
    t.join()
print("results:", sorted(results.items()))
