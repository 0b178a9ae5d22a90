"""A countdown latch class built on a Condition: main waits until every worker has checked in."""
import threading


class CountDownLatch:
    def __init__(self, count):
        self.count = count
        self.cond = threading.Condition()

    def count_down(self):
        with self.cond:
            self.count -= 1
            if self.count <= 0:
                self.cond.notify_all()

    def wait(self):
        with self.cond:
            while self.count > 0:
                self.cond.wait()


latch = CountDownLatch(2)
ready = []


def service(name):
    ready.append(name)
    latch.count_down()


for name in ("db", "cache"):
    threading.Thread(target=service, args=(name,)).start()
latch.wait()
print("services ready:", sorted(ready))
