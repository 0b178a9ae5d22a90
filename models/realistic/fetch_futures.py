from concurrent.futures import ThreadPoolExecutor

PAGES = {"a.com": 120, "b.org": 80}


def fetch(url):
    size = PAGES[url]
    print(f"fetched {url}")
    return size


with ThreadPoolExecutor(max_workers=2) as executor:
    futures = [executor.submit(fetch, url) for url in PAGES]
    total = 0
    for future in futures:
        total += future.result()
print(f"total bytes: {total}")
