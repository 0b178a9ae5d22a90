# A counter in a dict item, `d["k"] += 1`: no Python call inside (str hashing is C), so atomic on 3.10+ (2N) and racy on 3.9. Needs: dicts.
import threading

N = 20000
d = {"k": 0}
result = 0


def work():
    for _ in range(N):
        d["k"] += 1


t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
result = d["k"]
