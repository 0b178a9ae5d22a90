# One path takes the lock around its update; the other forgot to.
import threading

lock = threading.Lock()
count = 0


def careful():
    global count
    with lock:
        count += 1


def careless():
    global count
    count += 1


threads = [threading.Thread(target=careful), threading.Thread(target=careless)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert count == 2, f"count is {count}"
