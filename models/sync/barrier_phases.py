import threading

barrier = threading.Barrier(2)
lock = threading.Lock()
phase1 = 0
phase2 = 0
indices = 0


def worker():
    global phase1, phase2, indices
    with lock:
        phase1 += 1
    index = barrier.wait()
    assert phase1 == 2, phase1
    with lock:
        indices += index
        phase2 += 1
    barrier.wait()
    assert phase2 == 2, phase2


t1 = threading.Thread(target=worker)
t2 = threading.Thread(target=worker)
t1.start()
t2.start()
t1.join()
t2.join()
print("indices", indices)
