import threading

lock = threading.Lock()
counter = 0


def worker():
    global counter
    while True:
        with lock:
            if counter >= 3:
                break
            counter += 1


t1 = threading.Thread(target=worker)
t2 = threading.Thread(target=worker)
t1.start()
t2.start()
t1.join()
t2.join()
assert counter == 3, counter
print("counter", counter)
