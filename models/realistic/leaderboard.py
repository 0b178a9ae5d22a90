"""Game servers report player scores into a shared list; the main thread prints the top
three. Appends are atomic in CPython, and the sort by score (a key function) sees every score
once the servers are joined."""
import threading

scores = []


def report(server, results):
    for player, points in results:
        scores.append((player, points, server))


servers = {
    "eu": [("ann", 120), ("bo", 80)],
    "us": [("cy", 150), ("di", 95)],
}
threads = [threading.Thread(target=report, args=(name, res)) for name, res in servers.items()]
for t in threads:
    t.start()
for t in threads:
    t.join()

top = sorted(scores, key=lambda s: s[1], reverse=True)[:3]
for rank, (player, points, server) in enumerate(top, start=1):
    print(f"{rank}. {player} ({server}) {points}")
best = max(scores, key=lambda s: s[1])
assert best[0] == "cy"
