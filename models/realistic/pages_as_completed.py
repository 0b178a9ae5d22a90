# Results in the order they complete, with the input each came from (the pattern of the
# concurrent.futures documentation).
from concurrent.futures import ThreadPoolExecutor, as_completed


def fetch(page):
    return len(page)


pages = ["home", "about"]
with ThreadPoolExecutor(max_workers=2) as ex:
    by_future = {ex.submit(fetch, p): p for p in pages}
    for fut in as_completed(by_future):
        print(by_future[fut], fut.result())
