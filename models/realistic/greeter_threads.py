"""Greeting threads that print their parts with sep= and join on a shared list."""
import threading

names = ["Ada", "Linus"]
greetings = []
lock = threading.Lock()


def greet(name, excited):
    text = f"Hello, {name}" + ("!" if excited else ".")
    with lock:
        greetings.append(text)


threads = [threading.Thread(target=greet, args=(n, i % 2 == 0)) for i, n in enumerate(names)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(" | ".join(sorted(greetings)))
print("count", len(greetings), sep=": ")
