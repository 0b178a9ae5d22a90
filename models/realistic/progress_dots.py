"""Workers report progress by printing dots on one line, as command-line tools do."""
import threading
import time


def download(parts):
    for _ in range(parts):
        time.sleep(0.01)
        print(".", end="", flush=True)


workers = [threading.Thread(target=download, args=(2,)) for _ in range(2)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print()
print("all parts downloaded")
