# `balance = balance + one()`: the call's RESUME (and, on 3.10, its return) is a switch point between the load and the store, so updates are lost on every version. Needs: base subset.
import threading

N = 20000
balance = 0


def one():
    return 1


def deposit():
    global balance
    for _ in range(N):
        balance = balance + one()


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t1.start()
t2.start()
t1.join()
t2.join()
