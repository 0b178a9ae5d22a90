# Variant (d) of safe_deposit.py: a lock released by a thread that does not own it. Main means to
# hand the lock to T2 (main acquires it, T2's first act is to release it), but main acquires it only
# after the starts, so T2's release may instead free the lock while T1 holds it.
# Breaks the one-execution proof: a `threading.Lock` may be released by any thread, so acquire is
# no longer a right mover: T2 can free the lock in the middle of T1's critical section, and then T2
# (or main) enters while T1 is still inside: the increments race (lost updates), a later release
# raises RuntimeError, or main's acquisition is never released and the depositors deadlock
# (REDUCTIONS.md §5, pitfall 2: owner-release must be checked, not assumed).
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        lock.acquire()
        balance += 1
        lock.release()


def handed_deposit():
    global balance
    lock.release()  # meant to release main's acquisition; may release T1's
    for _ in range(N):
        lock.acquire()
        balance += 1
        lock.release()


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=handed_deposit)
t1.start(); t2.start()
lock.acquire()  # too late: the threads are already running
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
