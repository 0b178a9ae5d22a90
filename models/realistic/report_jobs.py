"""Report jobs start with their settings passed as keyword arguments and their inputs as a
list, the way many scripts build threads; each job writes its line into a shared dict."""
import threading

results = {}
results_lock = threading.Lock()


def build_report(name, *sections, fmt="txt", pages=1):
    text = f"{name}.{fmt}: {', '.join(sections)} ({pages}p)"
    with results_lock:
        results[name] = text


jobs = [
    threading.Thread(target=build_report, args=["sales", "q1", "q2"], kwargs={"fmt": "pdf", "pages": 3}),
    threading.Thread(target=build_report, args=["staff"], kwargs={"pages": 2}),
]
for j in jobs:
    j.start()
for j in jobs:
    j.join()

for name in sorted(results):
    print(results[name])
