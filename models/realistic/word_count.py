"""Counting words from several threads into one dict, with and without the lock."""
import threading

counts = {}
lock = threading.Lock()


def count_words(words):
    for word in words:
        with lock:
            counts[word] = counts.get(word, 0) + 1


t1 = threading.Thread(target=count_words, args=(["apple", "pear", "apple"],))
t2 = threading.Thread(target=count_words, args=(["pear", "fig"],))
t1.start()
t2.start()
t1.join()
t2.join()
total = 0
for word, n in counts.items():
    total += n
print(counts["apple"], counts["pear"], counts["fig"], total)
