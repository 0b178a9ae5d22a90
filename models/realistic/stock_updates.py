"""Shoppers buy from a shared stock; a check-and-sell under the lock never oversells."""
import threading

stock = {"apples": 10, "pears": 5}
lock = threading.Lock()

def sell(item, qty):
    with lock:
        if stock[item] >= qty:
            stock[item] -= qty
            return True
    return False

def shopper(orders):
    for item, qty in orders:
        sell(item, qty)

t1 = threading.Thread(target=shopper, args=([("apples", 6), ("pears", 2)],))
t2 = threading.Thread(target=shopper, args=([("apples", 6), ("pears", 4)],))
t1.start(); t2.start()
t1.join(); t2.join()
print(stock)
