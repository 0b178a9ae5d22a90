"""A rate limiter built as a closure: allow at most `limit` calls, counted without a lock."""
import threading


def make_limiter(limit):
    calls = 0

    def allow():
        nonlocal calls
        if calls < limit:
            calls += 1
            return True
        return False

    return allow


allow = make_limiter(1)
granted = []


def client(name):
    if allow():
        granted.append(name)


clients = [threading.Thread(target=client, args=(n,)) for n in ("a", "b")]
for c in clients:
    c.start()
for c in clients:
    c.join()
print("granted:", sorted(granted))
assert len(granted) <= 1, "the limit was exceeded"
