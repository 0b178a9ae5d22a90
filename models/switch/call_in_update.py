# `balance = balance + one()`: one() is a Python function, so its RESUME is a switch point between
# the load of balance and the store, on every CPython version: updates are lost everywhere.
import threading

N = 1000
balance = 0


def one():
    return 1


def deposit():
    global balance
    for _ in range(N):
        balance = balance + one()


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
