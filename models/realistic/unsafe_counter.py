"""The classic lost update: two threads increment a shared counter without a lock."""
import threading

counter = 0


def increment(times):
    global counter
    for _ in range(times):
        counter += 1


threads = []
for i in range(2):
    t = threading.Thread(target=increment, args=(2,))
    threads.append(t)
    t.start()

for t in threads:
    t.join()

print("Final counter:", counter)
assert counter == 4, f"lost updates: counter is {counter}"
