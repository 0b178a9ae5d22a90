"""A decorator that counts calls in a shared dict, without a lock."""
import functools
import threading

call_counts = {}


def counted(func):
    @functools.wraps(func)
    def wrapper(*args):
        call_counts[func.__name__] = call_counts.get(func.__name__, 0) + 1
        return func(*args)

    return wrapper


@counted
def square(x):
    return x * x


def worker(values):
    for v in values:
        square(v)


t1 = threading.Thread(target=worker, args=([1, 2],))
t2 = threading.Thread(target=worker, args=([3, 4],))
t1.start()
t2.start()
t1.join()
t2.join()
print(call_counts)
assert call_counts["square"] == 4, f"lost updates: {call_counts}"
