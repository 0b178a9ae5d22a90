# The seed's fix: `with lock: balance += 1`; exactly 2N on every version. Needs: base subset (threading.Lock, with).
import threading

N = 20
balance = 0
lock = threading.Lock()


def deposit():
    global balance
    for _ in range(N):
        with lock:
            balance += 1


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t1.start()
t2.start()
t1.join()
t2.join()
