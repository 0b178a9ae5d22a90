"""Waiters pick random dishes for their tables; the kitchen counts the orders."""
import random
import threading
from collections import Counter

MENU = ("soup", "salad")
orders = Counter()
log = []


def waiter(table):
    dish = random.choice(MENU)
    orders[dish] += 1  # Counter's += is a read, then a write: not atomic
    log.append(f"table {table}: {dish}")


waiters = []
for table in range(2):
    t = threading.Thread(target=waiter, args=(table,))
    waiters.append(t)
    t.start()
for t in waiters:
    t.join()

print(sorted(log))
print(sum(orders.values()), "orders")
assert sum(orders.values()) == 2, f"lost an order: {dict(orders)}"
