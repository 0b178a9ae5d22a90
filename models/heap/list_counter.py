# Two threads each add 1 to a[0]: `a[0] += 1` is BINARY_SUBSCR ... STORE_SUBSCR, not atomic.
import threading

a = [0]


def work():
    a[0] += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
