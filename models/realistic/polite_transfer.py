"""Two transfers take the account locks in opposite orders; each gives up instead of waiting
forever when it cannot get the second lock in time."""
import threading


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount, log):
    with src.lock:
        if not dst.lock.acquire(timeout=0.5):
            log.append(f"{src.name}->{dst.name} gave up")
            return
        try:
            src.balance -= amount
            dst.balance += amount
            log.append(f"{src.name}->{dst.name} moved {amount}")
        finally:
            dst.lock.release()


a = Account("a", 100)
b = Account("b", 100)
log = []
t1 = threading.Thread(target=transfer, args=(a, b, 30, log))
t2 = threading.Thread(target=transfer, args=(b, a, 10, log))
t1.start()
t2.start()
t1.join()
t2.join()
print(a.balance + b.balance, sorted(log))
