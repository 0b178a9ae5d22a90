"""Per-thread request context with threading.local, as web frameworks keep the current user."""
import threading

context = threading.local()
served = []
served_lock = threading.Lock()


def current_user():
    try:
        return context.user
    except AttributeError:
        return "anonymous"


def handle_request(user, pages):
    context.user = user
    context.pages = 0
    for _ in range(pages):
        context.pages += 1
    with served_lock:
        served.append(f"{current_user()} saw {context.pages} pages")


workers = [
    threading.Thread(target=handle_request, args=("alice", 2)),
    threading.Thread(target=handle_request, args=("bob", 1)),
]
for w in workers:
    w.start()
for w in workers:
    w.join()

print(sorted(served))
print("main thread user:", current_user())
