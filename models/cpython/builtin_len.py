# `c = c + len(unit)`: a C call, a switch point after it on 3.10; specialised len has none on 3.11+, so the update is atomic there. Needs: builtin len.
import threading

N = 20000
c = 0
unit = (0,)


def work():
    global c
    for _ in range(N):
        c = c + len(unit)


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
