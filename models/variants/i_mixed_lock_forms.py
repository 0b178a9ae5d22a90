# One lock taken with `with` by a worker and with acquire()/release() by main, which reads x in between: main may run its critical section after the worker's, so seen == 4 is reachable. Breaks: "a lock that is not only taken by `with` is a synchronisation object every thread's lock use conflicts with" (the worker's `with` must count as a lock operation in its future).
import threading

lock = threading.Lock()
x = 0
seen = -1


def w0():
    global x
    with lock:
        x += 4


t0 = threading.Thread(target=w0)
t0.start()
lock.acquire()
seen = x
lock.release()
t0.join()
assert seen == 0, f"seen={seen}"
