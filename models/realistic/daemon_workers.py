"""Daemon workers drain a task queue; the main thread waits for the queue, not the workers."""
import queue
import threading

tasks = queue.Queue()
done = []


def worker():
    while True:
        n = tasks.get()
        done.append(n * n)
        tasks.task_done()


for _ in range(2):
    threading.Thread(target=worker, daemon=True).start()

for n in (1, 2, 3):
    tasks.put(n)
tasks.join()  # the workers still wait in get(): the program ends them at exit
print(sorted(done))
