"""Three parties meet at a barrier between two phases of work."""
import threading

barrier = threading.Barrier(3)
log = []
lock = threading.Lock()


def phase_worker(name):
    with lock:
        log.append(name + "1")
    barrier.wait()
    with lock:
        log.append(name + "2")


workers = [threading.Thread(target=phase_worker, args=("a",)), threading.Thread(target=phase_worker, args=("b",))]
for w in workers:
    w.start()
phase_worker("m")
for w in workers:
    w.join()
phase_one_first = True
for entry in (log[0], log[1], log[2]):
    if entry[-1] != "1":
        phase_one_first = False
print(len(log), phase_one_first)
assert phase_one_first
