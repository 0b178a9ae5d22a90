# Variant (h) of safe_deposit.py: T2 updates `balance = 2 * balance + 1` while T1 does
# `balance += 1`, both under the lock.
# Breaks the one-execution proof: the two blocks' effects do not commute
# (2 * (b + 1) + 1 != (2 * b + 1) + 1), so the final balance depends on the order of the
# critical sections (REDUCTIONS.md §5, pitfall 5).
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with lock:
            balance += 1


def double_deposit():
    global balance
    for _ in range(N):
        with lock:
            balance = 2 * balance + 1


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=double_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
