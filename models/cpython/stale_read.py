# A stale read across a loop back-edge: `local = shared`, an inner loop, then `shared = local + 1`; the inner back-edge is a switch point on every version, so updates are lost everywhere. Needs: base subset.
import threading

N = 2000
shared = 0


def work():
    global shared
    for _ in range(N):
        local = shared
        for _ in range(2):
            pass
        shared = local + 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
