"""Transfers between accounts take both locks in a fixed order (by account number): no deadlock."""
import threading


class Account:
    def __init__(self, number, balance):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    first, second = (src, dst) if src.number < dst.number else (dst, src)
    with first.lock:
        with second.lock:
            if src.balance >= amount:
                src.balance -= amount
                dst.balance += amount


a = Account(1, 100)
b = Account(2, 50)
t1 = threading.Thread(target=transfer, args=(a, b, 30))
t2 = threading.Thread(target=transfer, args=(b, a, 70))
t1.start()
t2.start()
t1.join()
t2.join()
print(a.balance, b.balance, a.balance + b.balance)
