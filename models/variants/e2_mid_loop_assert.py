# Variant (e2) of safe_deposit.py: a mid-loop assert inside the critical section that compares
# `balance` with the thread's own progress ("the other thread is at most one iteration ahead").
# Breaks the one-execution proof: the assert observes intermediate states and fails only in the
# interleavings where one thread runs two or more iterations ahead of the other, so commuting the
# blocks would lose violations (REDUCTIONS.md §5, pitfall 4: "mid-loop checks").
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for i in range(N):
        with lock:
            balance += 1
            assert balance <= 2 * i + 2, f"balance is {balance} after {i + 1} own deposits"


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
