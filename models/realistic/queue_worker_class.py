"""A pool of Thread subclasses that take jobs from a queue until they get None."""
import queue
import threading


class Worker(threading.Thread):
    def __init__(self, jobs, results):
        super().__init__()
        self.jobs = jobs
        self.results = results

    def run(self):
        while True:
            job = self.jobs.get()
            if job is None:
                break
            self.results.put(job * 10)


jobs = queue.Queue()
results = queue.Queue()
pool = [Worker(jobs, results) for _ in range(2)]
for w in pool:
    w.start()
for job in [1, 2, 3]:
    jobs.put(job)
for _ in pool:
    jobs.put(None)
for w in pool:
    w.join()
collected = []
while not results.empty():
    collected.append(results.get())
print(sorted(collected))
