import queue
import threading

jobs = queue.Queue(maxsize=1)
results = queue.Queue()


def stage1():
    for i in range(3):
        jobs.put(i)
    jobs.put(None)


def stage2():
    while True:
        item = jobs.get()
        if item is None:
            break
        results.put(item * 10)


a = threading.Thread(target=stage1)
b = threading.Thread(target=stage2)
a.start()
b.start()
a.join()
b.join()
out = ()
while not results.empty():
    out = out + (results.get(),)
print(out, results.qsize())
