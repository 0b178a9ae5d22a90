"""Each thread fills its own slot of a preallocated result list."""
import threading

results = [None] * 3

def compute(i):
    results[i] = i * i

threads = []
for i in range(3):
    t = threading.Thread(target=compute, args=(i,))
    threads.append(t)
    t.start()
for t in threads:
    t.join()
print(results)
