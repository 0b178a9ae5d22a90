"""A decorator class that counts calls (`__call__`), and callable jobs as thread targets."""
import threading

class Tracker:
    """Counts the calls of the function it wraps."""
    def __init__(self, fn):
        self.fn = fn
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


@Tracker
def square(x):
    return x * x


class Job:
    def __init__(self, n):
        self.n = n

    def __call__(self):
        print("job", self.n, square(self.n))


threads = [threading.Thread(target=Job(i)) for i in (2, 3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(square.calls, threads[0].name)
assert square.calls == 2, f"lost a count: {square.calls}"
