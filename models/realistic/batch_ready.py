"""A packer waits until a batch of two orders is ready, using Condition.wait_for; two clerks
add orders and notify. The predicate is checked under the lock, so the packer never packs a
short batch."""
import threading

orders = []
ready = threading.Condition()


def clerk(order):
    with ready:
        orders.append(order)
        ready.notify()


def packer():
    with ready:
        ready.wait_for(lambda: len(orders) >= 2)
        batch = orders[:2]
    print("packing", sorted(batch))
    assert len(batch) == 2


threads = [threading.Thread(target=packer)]
threads += [threading.Thread(target=clerk, args=(o,)) for o in ("book", "lamp")]
for t in threads:
    t.start()
for t in threads:
    t.join()
