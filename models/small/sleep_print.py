# A thread prints while main sleeps and prints: two output orders.
import threading
import time
def w(name):
    print(name)
t = threading.Thread(target=w, args=("a",))
t.start()
time.sleep(1)
print("b")
t.join()
