"""Each thread buffers its log lines in a threading.local and flushes them at the end."""
import threading

local = threading.local()
journal = {}
journal_lock = threading.Lock()


def log(message):
    try:
        buffer = local.buffer
    except AttributeError:
        buffer = local.buffer = []
    buffer.append(message)


def flush(name):
    with journal_lock:
        journal[name] = list(local.buffer)


def task(name):
    log(name + " done")
    flush(name)


threads = [threading.Thread(target=task, args=(n,)) for n in ("w1", "w2")]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name in sorted(journal):
    print(name, journal[name])
