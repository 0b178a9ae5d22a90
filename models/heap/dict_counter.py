# Two threads count words into one dict; `d[k] += 1` can lose an update.
import threading

d = {"a": 0, "b": 0}


def count(key, times):
    for _ in range(times):
        d[key] += 1
    if key in d:
        d["seen"] = d.get("seen", 0) + 1


t1 = threading.Thread(target=count, args=("a", 1))
t2 = threading.Thread(target=count, args=("a", 1))
t1.start()
t2.start()
t1.join()
t2.join()
total = d["a"]
