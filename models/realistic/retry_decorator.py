"""A retry decorator (with functools.wraps) around a flaky lookup, called from two threads."""
import functools
import threading

attempts = {}


def retry(times):
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except ValueError as exc:
                    print(f"{func.__name__} attempt {attempt} failed: {exc}")
            raise RuntimeError(f"{func.__name__} gave up after {times} attempts")

        return wrapper

    return decorate


@retry(times=2)
def fetch_profile(user):
    """Look a user up; the first try for each user times out."""
    attempts[user] = attempts.get(user, 0) + 1
    if attempts[user] < 2:
        raise ValueError(f"timeout for {user}")
    return f"profile:{user}"


profiles = []


def worker(user):
    profiles.append(fetch_profile(user))


threads = [threading.Thread(target=worker, args=(u,)) for u in ("ann", "bob")]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(profiles), fetch_profile.__name__, fetch_profile.__doc__.split(";")[0])
