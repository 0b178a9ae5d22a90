# Variant (f) of safe_deposit.py: main joins only T1 before reading `balance`.
# Breaks the one-execution proof: main's final print and assert read `balance` while T2 may still
# be depositing; main's read is not ordered after T2's increments, so the value it sees depends on
# the interleaving (REDUCTIONS.md §5, pitfall 8).
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with lock:
            balance += 1


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join()  # t2 is never joined
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
