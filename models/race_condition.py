# The seed's race: two threads each add 1 to a shared balance N times, without a lock.
import threading

N = 1_000_000
balance = 0


def deposit():
    global balance
    for _ in range(N):
        balance += 1  # LOAD_GLOBAL, LOAD_CONST, BINARY_OP, STORE_GLOBAL: not atomic


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
