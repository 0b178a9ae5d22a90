# Variant (a) of safe_deposit.py: each thread prints `balance` after its `with` block, outside the lock.
# Breaks the one-execution proof: the unlocked read is an observer that the other thread's locked
# increments do not commute with (Locks(balance) = {} at that access), so the printed values, and
# their order, depend on the interleaving (REDUCTIONS.md §5, pitfall 1).
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with lock:
            balance += 1
        print(balance)  # read outside the lock


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
