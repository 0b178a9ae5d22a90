"""A Thread subclass that bumps a shared counter without a lock."""
from threading import Thread

counter = 0


class CounterThread(Thread):
    def __init__(self, times):
        Thread.__init__(self)
        self.times = times

    def run(self):
        global counter
        for _ in range(self.times):
            counter += 1


threads = [CounterThread(2), CounterThread(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()

print("counter:", counter)
assert counter == 4, f"expected 4, got {counter}"
