import threading

cond = threading.Condition()
items = 0
taken = 0


def producer():
    global items
    for i in range(2):
        with cond:
            items += 1
            cond.notify()


def consumer():
    global items, taken
    for i in range(2):
        with cond:
            while items == 0:
                cond.wait()
            items -= 1
            taken += 1


c = threading.Thread(target=consumer)
p = threading.Thread(target=producer)
c.start()
p.start()
c.join()
p.join()
assert taken == 2 and items == 0, (taken, items)
print("taken", taken)
