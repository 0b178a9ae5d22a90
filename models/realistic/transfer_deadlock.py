"""Two transfers lock the two accounts in opposite orders: they can deadlock."""
import threading


class Account:
    def __init__(self, name, balance):
        self.name = name
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    with src.lock:
        with dst.lock:
            src.balance -= amount
            dst.balance += amount


a = Account("a", 100)
b = Account("b", 100)
t1 = threading.Thread(target=transfer, args=(a, b, 10))
t2 = threading.Thread(target=transfer, args=(b, a, 20))
t1.start()
t2.start()
t1.join()
t2.join()
print(a.balance, b.balance)
