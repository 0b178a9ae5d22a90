import threading

pool = threading.Semaphore(2)
guard = threading.Lock()
inside = 0
peak = 0


def worker():
    global inside, peak
    with pool:
        with guard:
            inside += 1
            if inside > peak:
                peak = inside
        assert inside <= 2, inside
        with guard:
            inside -= 1


threads = (threading.Thread(target=worker), threading.Thread(target=worker), threading.Thread(target=worker))
for t in threads:
    t.start()
for t in threads:
    t.join()
print("peak", peak)
