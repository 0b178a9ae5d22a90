"""A producer and a consumer defined inside main(), sharing its queue and result list."""
import queue
import threading


def main():
    tasks = queue.Queue()
    results = []

    def producer():
        for i in range(3):
            tasks.put(i)
        tasks.put(None)

    def consumer():
        while True:
            item = tasks.get()
            if item is None:
                break
            results.append(item * 2)

    workers = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("results:", results)


if __name__ == "__main__":
    main()
