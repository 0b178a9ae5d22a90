import threading

cond = threading.Condition()
ready = False


def waiter():
    with cond:
        cond.wait()


def notifier():
    global ready
    with cond:
        ready = True
        cond.notify()


w = threading.Thread(target=waiter)
n = threading.Thread(target=notifier)
w.start()
n.start()
w.join()
n.join()
print("done")
