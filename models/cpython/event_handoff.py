# An Event hand-off: the consumer waits for the producer's set() and then reads the finished total, always N * (N - 1) // 2. Needs: threading.Event.
import threading

N = 200
total = 0
seen = -1
ready = threading.Event()


def produce():
    global total
    for i in range(N):
        total += i
    ready.set()


def consume():
    global seen
    ready.wait()
    seen = total


t1 = threading.Thread(target=consume)
t2 = threading.Thread(target=produce)
t1.start()
t2.start()
t1.join()
t2.join()
