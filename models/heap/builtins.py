# The builtins on lists, dicts, tuples and instances.
class P:
    pass


xs = [3, -7, 5]
d = {"k": (1, 2), 2: None}
p = P()
n = len(xs) + len(d) + len("abc") + len((1, 2))
m = abs(-4) + abs(True) + min(xs) + max(xs) + min(4, 2, 9) + max((1, 8))
flags = (isinstance(xs, list), isinstance(d, dict), isinstance(p, P), isinstance(1, (str, int)), isinstance(True, int), isinstance("s", (list, dict)))
conv = (int("12") + int(True) + int(-3), str(12) + str(None) + str(xs) + str(d), int(), str())
found = (5 in xs, 4 not in xs, "k" in d, 3 in d, xs[-1], d["k"][1], d.get(2, 0), d.get("z", "none"))
print(xs, d, n, m)
