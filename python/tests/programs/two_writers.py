import threading

x = 0


def one():
    global x
    x = 1


def two():
    global x
    x = 2


t1 = threading.Thread(target=one)
t2 = threading.Thread(target=two)
t1.start()
t2.start()
t1.join()
t2.join()
