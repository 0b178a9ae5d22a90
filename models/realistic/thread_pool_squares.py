import concurrent.futures
import time


def square(n):
    time.sleep(0.1)
    return n * n


if __name__ == "__main__":
    numbers = [2, 3]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
        results = list(executor.map(square, numbers))
    print(f"Results: {results}")
