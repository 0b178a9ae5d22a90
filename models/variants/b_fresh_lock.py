# Variant (b) of safe_deposit.py: `with threading.Lock():` makes a fresh lock on every iteration.
# Breaks the one-execution proof: no two increments hold the same lock object, so `balance` is not
# protected by anything (locksets are over lock objects, not over the `with` syntax) and the
# updates race: lost updates (REDUCTIONS.md §5, pitfall 3).
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with threading.Lock():  # a new, uncontended lock each time: racy
            balance += 1


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
