# Two accounts; a transfer checks the balance, then moves the money. Both transfers can pass the
# check before either moves anything.
import threading

balance_a = 100
balance_b = 0


def transfer(amount):
    global balance_a, balance_b
    if balance_a >= amount:
        balance_a -= amount
        balance_b += amount


def report():
    print("transferring")


t1 = threading.Thread(target=transfer, args=(60,))
t2 = threading.Thread(target=transfer, args=(60,))
t3 = threading.Thread(target=report)
t1.start()
t2.start()
t3.start()
t1.join()
t2.join()
t3.join()
assert balance_a >= 0, f"overdrawn: {balance_a}"
assert balance_a + balance_b == 100
