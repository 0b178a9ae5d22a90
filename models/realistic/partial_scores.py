"""Workers started with functools.partial; the results ranked with operator.itemgetter."""
import threading
from functools import partial, reduce
from operator import add, itemgetter

scores = []
lock = threading.Lock()


def score(weight, name, points):
    total = reduce(add, points, 0) * weight
    with lock:
        scores.append((name, total))


jobs = {"ann": [3, 4], "bob": [5], "cy": [1, 1, 1]}
threads = []
for name, points in jobs.items():
    t = threading.Thread(target=partial(score, 2, name), args=(points,))
    threads.append(t)
    t.start()
for t in threads:
    t.join()

ranking = sorted(scores, key=itemgetter(1), reverse=True)
print(ranking[0][0], [name for name, _ in ranking])
print(reduce(add, [total for _, total in scores]))
