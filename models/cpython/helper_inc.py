# A counter through a Python helper `inc()`: the switch point is inc's entry, before the read, so the increment is atomic on 3.10+ and racy on 3.9. Needs: base subset.
import threading

N = 20000
c = 0


def inc():
    global c
    c += 1


def work():
    for _ in range(N):
        inc()


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
