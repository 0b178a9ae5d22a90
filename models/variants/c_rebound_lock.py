# Variant (c) of safe_deposit.py: main rebinds the name `lock` between the two starts.
# Breaks the one-execution proof: T2 always locks the new lock, while T1 locks the old one or the
# new one depending on whether it loads `lock` before or after the rebinding, so the two threads'
# increments may run under different lock objects and race (REDUCTIONS.md §5, pitfall 3: the lock
# acquired must be the object analysed, not the name).
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
t1.start()
lock = threading.Lock()  # rebound while T1 may already be using the old lock
t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
