# The seed's fix: the same two depositors, each increment inside `with lock:`.
import threading

N = 1_000_000
balance = 0
lock = threading.Lock()


def safe_deposit():
    global balance
    for _ in range(N):
        with lock:  # The thread 'acquires' the lock
            balance += 1
        # Lock is 'released' automatically after the block


t1 = threading.Thread(target=safe_deposit)
t2 = threading.Thread(target=safe_deposit)
t1.start(); t2.start()
t1.join(); t2.join()
print(f"Final Balance: {balance}")
assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}"
