"""A bank account class and a savings account that extends it with interest."""
import threading


class BankAccount:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.lock = threading.Lock()

    def deposit(self, amount):
        with self.lock:
            self.balance += amount

    def report(self):
        return f"{self.owner}: {self.balance}"


class SavingsAccount(BankAccount):
    def __init__(self, owner, balance=0, rate=10):
        super().__init__(owner, balance)
        self.rate = rate

    def add_interest(self):
        # Forgets the lock: reads the balance, then writes it back.
        interest = self.balance * self.rate // 100
        self.balance = self.balance + interest


account = SavingsAccount("bob", 100)
depositor = threading.Thread(target=account.deposit, args=(50,))
banker = threading.Thread(target=account.add_interest)
depositor.start()
banker.start()
depositor.join()
banker.join()
print(account.report())
