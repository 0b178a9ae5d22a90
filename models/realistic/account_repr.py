"""Bank accounts with a readable repr; two tellers move money between them at the same time.
Each transfer takes both accounts' locks in a fixed order, so no money is lost or made."""
import threading


class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance
        self.lock = threading.Lock()

    def __repr__(self):
        return f"Account({self.owner!r}, {self.balance})"

    def __eq__(self, other):
        return isinstance(other, Account) and self.owner == other.owner


def transfer(src, dst, amount):
    first, second = sorted([src, dst], key=lambda a: a.owner)
    with first.lock:
        with second.lock:
            if src.balance >= amount:
                src.balance -= amount
                dst.balance += amount


alice = Account("alice", 100)
bob = Account("bob", 50)
tellers = [
    threading.Thread(target=transfer, args=(alice, bob, 30)),
    threading.Thread(target=transfer, args=(bob, alice, 70)),
]
for t in tellers:
    t.start()
for t in tellers:
    t.join()

print([alice, bob])
assert alice.balance + bob.balance == 150
assert Account("alice", 0) in [alice, bob]
