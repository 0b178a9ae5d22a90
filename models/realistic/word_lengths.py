from concurrent.futures import ThreadPoolExecutor

words = ["apple", "kiwi"]


def measure(word):
    return len(word)


with ThreadPoolExecutor(max_workers=2) as executor:
    for length in executor.map(measure, words):
        print("length:", length)
