"""Worker threads that pull jobs from a queue and go home once it stays empty for a second."""
import queue
import threading

jobs = queue.Queue()
done = []
done_lock = threading.Lock()


def worker(name):
    while True:
        try:
            job = jobs.get(timeout=1.0)
        except queue.Empty:
            print(f"{name}: no more work")
            return
        with done_lock:
            done.append(job * job)
        jobs.task_done()


for n in range(3):
    jobs.put(n)

workers = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
for w in workers:
    w.start()
jobs.join()
for w in workers:
    w.join()
print("squares:", sorted(done))
