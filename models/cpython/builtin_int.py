# `c = c + int(1)`: calling a builtin class is a C call with a switch point after it on 3.10+, so updates are lost on every version. Needs: builtin int.
import threading

N = 20000
c = 0


def work():
    global c
    for _ in range(N):
        c = c + int(1)


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
