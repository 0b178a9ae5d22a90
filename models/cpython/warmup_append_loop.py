# A loop of N `lst.append(len(lst))` per thread, behind a Barrier, then `wrong` counts the elements not equal to their index. The loop's back-edge is a switch point; inside an iteration only the cold call sites of `len` and `append` can switch on 3.11+ (before they specialise). Needs: lists, builtin len, list.append, Barrier.
import threading

N = 8
lst = []
wrong = 0
barrier = threading.Barrier(2)


def work():
    barrier.wait()
    for _ in range(N):
        lst.append(len(lst))


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
for i in range(len(lst)):
    if lst[i] != i:
        wrong += 1
