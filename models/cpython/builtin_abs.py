# `c = c + abs(1)`: a call into C between the load and the store is a switch point on 3.10+, so updates are lost on every version. Needs: builtin abs.
import threading

N = 20000
c = 0


def work():
    global c
    for _ in range(N):
        c = c + abs(1)


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
