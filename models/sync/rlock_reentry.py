import threading

lock = threading.RLock()
count = 0


def add(n):
    global count
    with lock:
        count += n


def worker():
    with lock:
        add(1)
        add(1)


t1 = threading.Thread(target=worker)
t2 = threading.Thread(target=worker)
t1.start()
t2.start()
t1.join()
t2.join()
assert count == 4, count
print("count", count)
