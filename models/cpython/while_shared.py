# `while c < N: c += 1` on a shared condition: a thread can pass the test just before the other finishes, so c ends at N or N + 1 (on 3.10+ only through a switch at the back-edge after the test). Needs: base subset.
import threading

N = 20000
c = 0


def work():
    global c
    while c < N:
        c += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
