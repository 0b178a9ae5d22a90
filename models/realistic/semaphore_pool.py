"""A semaphore limits how many workers use a connection pool at once."""
import threading

pool = threading.BoundedSemaphore(2)
lock = threading.Lock()
active = 0
peak = 0


def use_connection(name):
    global active, peak
    with pool:
        with lock:
            active += 1
            peak = max(peak, active)
        with lock:
            active -= 1


threads = []
for name in ("a", "b", "c"):
    t = threading.Thread(target=use_connection, args=(name,))
    threads.append(t)
    t.start()
for t in threads:
    t.join()
print("peak connections:", peak)
assert peak <= 2
