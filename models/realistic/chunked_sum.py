"""Split a list into chunks, sum each chunk in its own thread, then combine the results."""
import threading

data = list(range(1, 13))
size = 4
chunks = [data[i:i + size] for i in range(0, len(data), size)]
results = [0] * len(chunks)


def sum_chunk(index, chunk):
    results[index] = sum(chunk)


threads = []
for index, chunk in enumerate(chunks):
    t = threading.Thread(target=sum_chunk, args=(index, chunk))
    threads.append(t)
    t.start()

for t in threads:
    t.join()

print("partial sums:", results)
print("total:", sum(results), "last chunk:", chunks[-1][-2:])
