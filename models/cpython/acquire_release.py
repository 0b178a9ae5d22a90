# Three threads, `lock.acquire(); balance += 1; lock.release()`: exactly 3N on every version. Needs: base subset (lock.acquire/release).
import threading

N = 6
balance = 0
lock = threading.Lock()


def deposit():
    global balance
    for _ in range(N):
        lock.acquire()
        balance += 1
        lock.release()


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t3 = threading.Thread(target=deposit)
t1.start()
t2.start()
t3.start()
t1.join()
t2.join()
t3.join()
