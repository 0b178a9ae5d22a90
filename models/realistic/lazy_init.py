"""Lazy initialisation without a lock: two threads can both see None and both create it."""
import threading

config = None
created = 0


def get_config():
    global config, created
    if config is None:
        created += 1
        config = {"debug": False}
    return config


def worker():
    cfg = get_config()
    assert not cfg["debug"]


t1 = threading.Thread(target=worker)
t2 = threading.Thread(target=worker)
t1.start()
t2.start()
t1.join()
t2.join()
assert created == 1, f"config created {created} times"
