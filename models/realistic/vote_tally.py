"""Polling stations report their ballots; each station's thread tallies into one Counter.
The lock keeps every `votes[name] += 1` whole, so the winner and the totals are always right."""
import threading
from collections import Counter

votes = Counter()
votes_lock = threading.Lock()


def count_station(ballots):
    for name in ballots:
        with votes_lock:
            votes[name] += 1


stations = [
    ["alice", "bob", "alice"],
    ["bob", "carol"],
    ["alice"],
]
threads = [threading.Thread(target=count_station, args=(b,)) for b in stations]
for t in threads:
    t.start()
for t in threads:
    t.join()

winner, count = votes.most_common(1)[0]
print(f"winner: {winner} with {count} votes")
print("total ballots:", votes.total())
assert votes.total() == sum(len(b) for b in stations)
