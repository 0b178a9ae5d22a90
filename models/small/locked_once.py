# Both increments under one lock: always 2.
import threading
lock = threading.Lock()
x = 0
def w():
    global x
    with lock:
        x += 1
t = threading.Thread(target=w)
t.start()
with lock:
    x += 1
t.join()
assert x == 2
