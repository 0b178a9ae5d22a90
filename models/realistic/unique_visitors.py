"""Two request handlers log page views; the first view of each user counts as a new visitor.
The membership check and the add are two steps, so a user whom both handlers see at once can
be counted twice."""
import threading

seen = set()
new_visitors = 0
pages_per_user = {}
lock = threading.Lock()


def handle(requests):
    global new_visitors
    for user, page in requests:
        if user not in seen:
            seen.add(user)
            with lock:
                new_visitors += 1
        with lock:
            pages_per_user.setdefault(user, set()).add(page)


batches = [[("ann", "/home"), ("bob", "/cart")], [("ann", "/cart")]]
threads = [threading.Thread(target=handle, args=(b,)) for b in batches]
for t in threads:
    t.start()
for t in threads:
    t.join()

print("visitors:", sorted(seen))
print("pages:", {user: sorted(pages_per_user[user]) for user in sorted(pages_per_user)})
assert new_visitors == len(seen), f"counted {new_visitors} new visitors for {len(seen)} users"
