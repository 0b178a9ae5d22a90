# A queue.Queue transfer: the producer puts 0..N-1, the consumer gets N items in order and sums them, always N * (N - 1) // 2. Needs: queue.Queue.
import queue
import threading

N = 20
q = queue.Queue()
total = 0
last = -1


def produce():
    for i in range(N):
        q.put(i)


def consume():
    global total, last
    for _ in range(N):
        item = q.get()
        total += item
        last = item


t1 = threading.Thread(target=consume)
t2 = threading.Thread(target=produce)
t1.start()
t2.start()
t1.join()
t2.join()
