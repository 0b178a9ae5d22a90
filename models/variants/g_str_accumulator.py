# Variant (g) of safe_deposit.py: a non-commutative accumulator under the lock. The issue asks for a
# float accumulator, but floats are not in gilcheck's subset; a str `+=` is the same pitfall (as is a
# non-commutative int update, e.g. `balance = balance * 2` in one thread with `balance += 1` in the
# other; variant h is of that kind). Each thread appends its own letter to `log` under the lock.
# Breaks the one-execution proof: string concatenation does not commute ("a" + "b" != "b" + "a"), so
# the final `log` records the order of the critical sections and differs between interleavings
# (REDUCTIONS.md §5, pitfall 5: only proven-int accumulators commute).
import threading

N = 1_000_000
balance = 0
log = ""
lock = threading.Lock()


def safe_deposit(tag):
    global balance, log
    for _ in range(N):
        with lock:
            balance += 1
            log += tag


t1 = threading.Thread(target=safe_deposit, args=("a",))
t2 = threading.Thread(target=safe_deposit, args=("b",))
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
