# Variant (e) of safe_deposit.py: an assert inside the critical section.
# Breaks the one-execution proof: the assert observes intermediate states, so the blocks have a
# non-empty observation set and are no longer independent; a single representative execution only
# proves properties of terminal states. (Here the assert happens to hold in every interleaving, so
# only the number of executions tells a wrongly reduced search apart; see e2_ for one that fails in
# some interleavings.) REDUCTIONS.md §5, pitfall 4.
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with lock:
            balance += 1
            assert balance <= 2 * N


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
