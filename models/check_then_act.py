# Check-then-act: both threads may see the last ticket as available and both take it.
import threading

tickets = 1
sold = 0


def buy():
    global tickets, sold
    if tickets > 0:
        tickets -= 1
        sold += 1


t1 = threading.Thread(target=buy)
t2 = threading.Thread(target=buy)
t1.start()
t2.start()
t1.join()
t2.join()
assert tickets >= 0, f"oversold: tickets = {tickets}, sold = {sold}"
