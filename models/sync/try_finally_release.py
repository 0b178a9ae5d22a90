import threading

lock = threading.Lock()
entered = 0


def risky(n):
    global entered
    lock.acquire()
    try:
        entered += 1
        share = 10 // n
    finally:
        lock.release()
    return share


def worker(n):
    try:
        print("share", risky(n))
    except ZeroDivisionError as e:
        print("caught", e)


t1 = threading.Thread(target=worker, args=(0,))
t2 = threading.Thread(target=worker, args=(5,))
t1.start()
t2.start()
t1.join()
t2.join()
assert entered == 2, entered
print("locked", lock.locked())
