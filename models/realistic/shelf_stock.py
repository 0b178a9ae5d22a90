"""A store with a locked base class; the subclass adds a quick check-then-take that skips it."""
import threading


class Store:
    def __init__(self, stock):
        self.stock = stock
        self.lock = threading.Lock()

    def take(self, n):
        with self.lock:
            if self.stock >= n:
                self.stock -= n
                return True
            return False


class QuickStore(Store):
    def quick_take(self, n):
        if self.stock >= n:  # no lock: another buyer may take it first
            self.stock -= n
            return True
        return False


store = QuickStore(1)
sold = []


def buyer(name):
    if store.quick_take(1):
        sold.append(name)


buyers = [threading.Thread(target=buyer, args=(n,)) for n in ("x", "y")]
for b in buyers:
    b.start()
for b in buyers:
    b.join()
print("stock:", store.stock, "sold:", sorted(sold))
assert store.stock >= 0, "oversold"
