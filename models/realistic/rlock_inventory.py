"""An inventory whose methods call each other while holding the same RLock."""
import threading


class Inventory:
    def __init__(self):
        self.items = {}
        self.lock = threading.RLock()

    def add(self, name, qty=1):
        with self.lock:
            self.items[name] = self.items.get(name, 0) + qty

    def restock(self, names):
        with self.lock:
            for name in names:
                self.add(name, qty=2)


inv = Inventory()
t1 = threading.Thread(target=inv.restock, args=(["bolt", "nut"],))
t2 = threading.Thread(target=inv.add, args=("bolt",))
t1.start()
t2.start()
t1.join()
t2.join()
print(inv.items["bolt"], inv.items["nut"])
