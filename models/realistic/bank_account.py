"""A bank account shared by several threads, protected by a lock."""
import threading


class BankAccount:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.lock = threading.Lock()

    def deposit(self, amount):
        with self.lock:
            self.balance += amount

    def withdraw(self, amount):
        with self.lock:
            if self.balance >= amount:
                self.balance -= amount
                return True
            return False


def customer(account, deposits, withdrawal):
    for amount in deposits:
        account.deposit(amount)
    account.withdraw(withdrawal)


account = BankAccount("alice", balance=10)
t1 = threading.Thread(target=customer, args=(account, (5, 5), 20))
t2 = threading.Thread(target=customer, args=(account, (10,), 15))
t1.start()
t2.start()
t1.join()
t2.join()
print(f"{account.owner}: {account.balance}")
