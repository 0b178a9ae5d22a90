"""Two players roll a die at the same time; the higher roll wins."""
import random
import threading

scores = {}
lock = threading.Lock()


def play(name):
    roll = random.randint(1, 3)
    with lock:
        scores[name] = roll


players = [threading.Thread(target=play, args=(name,)) for name in ("ann", "bob")]
for p in players:
    p.start()
for p in players:
    p.join()

best = max(scores.values())
winners = [name for name, roll in scores.items() if roll == best]
if len(winners) > 1:
    print(f"tie at {best}")
else:
    print(f"{winners[0]} wins with {best}")
