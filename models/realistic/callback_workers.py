"""Workers that report back through a callback made by a factory function."""
import threading

results = {}
results_lock = threading.Lock()


def make_callback(name):
    def callback(value):
        with results_lock:
            results[name] = value
    return callback


def worker(n, on_done):
    total = sum([i * i for i in range(n)])
    on_done(total)


jobs = {"small": 3, "large": 5}
threads = []
for name, n in jobs.items():
    t = threading.Thread(target=worker, args=(n, make_callback(name)))
    threads.append(t)
    t.start()

for t in threads:
    t.join()

print(sorted(results.items()))
