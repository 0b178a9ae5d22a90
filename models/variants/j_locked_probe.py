# Main asks `lock.locked()` while a worker holds the lock in a `with` block: True and False are both reachable. Breaks: "a lock read by `locked()` is not structured, so the worker's `with` synchronises with main's probe".
import threading

lock = threading.Lock()
x = 0
busy = None


def w():
    global x
    with lock:
        x = 1


t = threading.Thread(target=w)
t.start()
busy = lock.locked()
t.join()
assert not busy, "the worker held the lock"
