# A deposit and a withdrawal on one balance, each a read-modify-write of its own.
import threading

balance = 100


def deposit(amount):
    global balance
    balance += amount


def withdraw(amount):
    global balance
    balance -= amount


t1 = threading.Thread(target=deposit, args=(50,))
t2 = threading.Thread(target=withdraw, args=(30,))
t1.start()
t2.start()
t1.join()
t2.join()
print(f"balance: {balance}")
assert balance == 120, f"balance is {balance}"
