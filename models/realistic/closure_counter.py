"""A counter kept in main()'s local variable, bumped by worker threads through a closure."""
import threading


def main():
    counter = 0
    lock = threading.Lock()

    def increment(times):
        nonlocal counter
        for _ in range(times):
            with lock:
                counter += 1

    threads = [threading.Thread(target=increment, args=(2,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"counter = {counter}")
    assert counter == 4


if __name__ == "__main__":
    main()
