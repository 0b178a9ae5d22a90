"""Workers poll until the configuration has been loaded, sleeping between looks."""
import threading
import time

config = None


def load_config():
    global config
    time.sleep(0.1)
    config = {"debug": False, "workers": 2}


def worker(name):
    while config is None:
        time.sleep(0.01)
    print(f"{name} starts with debug={config['debug']}")


threads = [threading.Thread(target=load_config)]
threads += [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
