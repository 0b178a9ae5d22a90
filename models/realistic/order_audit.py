"""A clerk settles the orders while an auditor counts the unpaid ones; the report at the end
totals the paid orders with generator expressions."""
import threading

orders = [
    {"id": 1, "qty": 2, "price": 5, "paid": False},
    {"id": 2, "qty": 1, "price": 12, "paid": False},
]
lock = threading.Lock()
collected = []


def settle(wanted):
    for order in orders:
        if order["id"] in wanted:
            with lock:
                order["paid"] = True
                collected.append(order["qty"] * order["price"])


def audit():
    unpaid = sum(1 for o in orders if not o["paid"])
    print("unpaid at audit:", unpaid)


clerk = threading.Thread(target=settle, args=((1, 2),))
auditor = threading.Thread(target=audit)
clerk.start()
auditor.start()
clerk.join()
auditor.join()

total = sum(o["qty"] * o["price"] for o in orders if o["paid"])
assert total == sum(collected), "revenue does not match the payments"
print("paid:", ", ".join(str(o["id"]) for o in orders if o["paid"]))
print("total:", total, "largest:", max(o["qty"] * o["price"] for o in orders))
