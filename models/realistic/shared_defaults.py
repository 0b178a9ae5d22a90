"""Each worker copies the default settings and adds its own host. copy.copy is shallow: the
copies share the one hosts list, so the defaults change under everyone (copy.deepcopy would not)."""
import copy
import threading

DEFAULTS = {"timeout": 5, "hosts": ["db"]}
configs = {}
lock = threading.Lock()


def configure(name, host):
    cfg = copy.copy(DEFAULTS)
    cfg["hosts"].append(host)
    cfg["timeout"] += 1
    with lock:
        configs[name] = cfg


t1 = threading.Thread(target=configure, args=("api", "cache"))
t2 = threading.Thread(target=configure, args=("web", "cdn"))
t1.start()
t2.start()
t1.join()
t2.join()
print(DEFAULTS["timeout"], sorted(DEFAULTS["hosts"]), configs["api"]["timeout"])
assert DEFAULTS["hosts"] == ["db"], f"defaults changed: {DEFAULTS['hosts']}"
