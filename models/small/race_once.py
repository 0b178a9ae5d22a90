# The seed race at its smallest: main and one thread each add 1 once.
import threading
balance = 0
def deposit():
    global balance
    balance += 1
t1 = threading.Thread(target=deposit)
t1.start()
deposit()
t1.join()
assert balance == 2
