# Two workers count hits into one dict: `counts[key] += 1` reads the entry, adds, and stores
# it back, and another thread's update can land in between.
import threading

N = 2
counts = {"hits": 0, "misses": 0}


def work():
    for _ in range(N):
        counts["hits"] += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
print("hits:", counts["hits"])
assert counts["hits"] == 2 * N, f"lost hits: {counts['hits']}"
