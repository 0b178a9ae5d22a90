# Each worker says hello, then bumps a shared counter in two steps; the hello lines may come in
# either order, and the repair must keep both orders.
import threading

count = 0


def worker(name):
    global count
    print("hello from", name)
    seen = count
    count = seen + 1


a = threading.Thread(target=worker, args=("a",))
b = threading.Thread(target=worker, args=("b",))
a.start()
b.start()
a.join()
b.join()
assert count == 2, f"count is {count}"
