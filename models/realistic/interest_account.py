"""A savings account with a float balance: a deposit and the monthly interest race for the lock."""
import threading
import time


class SavingsAccount:
    def __init__(self, balance: float = 0.0):
        self.balance = balance
        self.lock = threading.Lock()

    def deposit(self, amount: float) -> None:
        with self.lock:
            new_balance = self.balance + amount
            time.sleep(0.001)  # talk to the bank's ledger
            self.balance = new_balance

    def apply_interest(self, rate: float) -> None:
        with self.lock:
            self.balance *= 1 + rate


account = SavingsAccount(100.0)
depositor = threading.Thread(target=account.deposit, args=(50.0,))
bank = threading.Thread(target=account.apply_interest, args=(0.05,))
depositor.start()
bank.start()
depositor.join()
bank.join()
print(f"balance: ${account.balance:,.2f}")
