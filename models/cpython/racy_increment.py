# The seed's race: `balance += 1` in a loop, no lock; loses updates where a switch can fall inside the statement (bytecode, 3.9), exactly 2N on 3.10+. Needs: base subset.
import threading

N = 20000
balance = 0


def deposit():
    global balance
    for _ in range(N):
        balance += 1


t1 = threading.Thread(target=deposit)
t2 = threading.Thread(target=deposit)
t1.start()
t2.start()
t1.join()
t2.join()
