# Two threads take the same two locks in opposite orders: each can end up holding one lock
# and waiting for the other.
import threading

lock_a = threading.Lock()
lock_b = threading.Lock()
transfers = 0


def forward():
    global transfers
    with lock_a:
        with lock_b:
            transfers += 1


def backward():
    global transfers
    with lock_b:
        with lock_a:
            transfers += 1


t1 = threading.Thread(target=forward)
t2 = threading.Thread(target=backward)
t1.start()
t2.start()
t1.join()
t2.join()
print(f"transfers: {transfers}")
