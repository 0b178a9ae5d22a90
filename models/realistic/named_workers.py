"""Named worker threads report when they finish; the order of the reports varies."""
import threading
import time


def task(seconds):
    time.sleep(seconds)
    name = threading.current_thread().name
    print(f"{name} finished")


if __name__ == "__main__":
    threads = []
    for i in range(2):
        t = threading.Thread(target=task, args=(1,), name=f"worker-{i}")
        threads.append(t)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("all done in", threading.current_thread().name)
