# Two locks taken in opposite orders by main and a thread (acquire without release).
import threading
a = threading.Lock()
b = threading.Lock()
def f():
    a.acquire()
    b.acquire()
t = threading.Thread(target=f)
t.start()
b.acquire()
a.acquire()
