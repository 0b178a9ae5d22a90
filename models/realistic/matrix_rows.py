"""Multiply a matrix by a vector, one thread per block of rows."""
import threading

matrix = [[1, 2], [3, 4]]
vector = [10, 1]
result = [None] * len(matrix)


def multiply_rows(start, stop):
    for i in range(start, stop):
        row = matrix[i]
        result[i] = sum([a * b for a, b in zip(row, vector)])


half = len(matrix) // 2
threads = [
    threading.Thread(target=multiply_rows, args=(0, half)),
    threading.Thread(target=multiply_rows, args=(half, len(matrix))),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("result:", result)
print("first half:", result[:half], "second half:", result[half:])
