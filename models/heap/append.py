# Two threads append to one list (list.append is atomic: one C call) and iterate it.
import threading

log = []
totals = {}


def worker(name, items):
    for x in items:
        log.append(x)
    s = 0
    for x in log:
        s += x
    totals[name] = s


t1 = threading.Thread(target=worker, args=("a", [1, 2]))
t2 = threading.Thread(target=worker, args=("b", [10]))
t1.start()
t2.start()
t1.join()
t2.join()
assert len(log) == 3
