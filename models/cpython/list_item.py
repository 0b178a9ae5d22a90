# A counter in a list item, `a[0] += 1`: no call inside, so atomic on 3.10+ (2N) and racy on 3.9. Needs: lists.
import threading

N = 20000
a = [0]
result = 0


def work():
    for _ in range(N):
        a[0] += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
result = a[0]
