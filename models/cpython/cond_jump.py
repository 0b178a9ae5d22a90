# `v = c; if v < 0: v = 0; c = v + 1`: on 3.10 the taken forward jump over the `if` body is a switch point between the read and the write, so updates are lost; 3.11+ never switch at a forward jump (exactly 2N); 3.9 loses too. Needs: base subset.
import threading

N = 20000
c = 0


def work():
    global c
    for _ in range(N):
        v = c
        if v < 0:
            v = 0
        c = v + 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
