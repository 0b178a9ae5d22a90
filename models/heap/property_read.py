# Reading a @property runs its getter in a new Python frame; the read of both fields is not atomic.
import threading


class Account:
    def __init__(self):
        self.checking = 50
        self.savings = 50

    @property
    def total(self):
        return self.checking + self.savings

    def move(self, amount):
        self.checking -= amount
        self.savings += amount


acct = Account()
seen = []


def mover():
    acct.move(10)


def auditor():
    seen.append(acct.total)


t1 = threading.Thread(target=mover)
t2 = threading.Thread(target=auditor)
t1.start()
t2.start()
t1.join()
t2.join()
assert seen[0] == 100, f"auditor saw {seen[0]}"
