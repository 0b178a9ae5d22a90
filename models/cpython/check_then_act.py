# Check-then-act: `if x == 0: x = 1; hits += 1; x = 0` is atomic on 3.10+ (no switch point inside), so every round hits (2N); on 3.9 a round can see x == 1 or both can enter. Needs: base subset.
import threading

N = 20000
x = 0
hits = 0


def claim():
    global x, hits
    for _ in range(N):
        if x == 0:
            x = 1
            hits += 1
            x = 0


t1 = threading.Thread(target=claim)
t2 = threading.Thread(target=claim)
t1.start()
t2.start()
t1.join()
t2.join()
