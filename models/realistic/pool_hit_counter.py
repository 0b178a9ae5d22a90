from concurrent.futures import ThreadPoolExecutor

hits = 0


def record_hit(page):
    global hits
    hits += 1


with ThreadPoolExecutor(max_workers=2) as pool:
    for page in ["home", "about"]:
        pool.submit(record_hit, page)

print("hits:", hits)
assert hits == 2, f"lost an update: hits is {hits}"
