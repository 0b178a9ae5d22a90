"""Download workers started from a list comprehension store their results in a shared dict."""
import threading
import time

results = {}
lock = threading.Lock()


def fetch(page_id):
    time.sleep(0.1)  # pretend to download the page
    size = page_id * 100 + 50
    with lock:
        results[page_id] = size


threads = [threading.Thread(target=fetch, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()

total = sum([results[k] for k in results])
print(f"downloaded {len(results)} pages, {total} bytes")
print(sorted(results.items()))
