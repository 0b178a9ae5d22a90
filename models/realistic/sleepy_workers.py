"""The classic first threading example: start workers that sleep, then wait for them all."""
import threading
import time


def worker(num):
    print(f"Worker {num} starting")
    time.sleep(0.5)
    print(f"Worker {num} done")


threads = []
for i in range(2):
    t = threading.Thread(target=worker, args=(i,))
    threads.append(t)
    t.start()

for t in threads:
    t.join()

print("All workers finished")
