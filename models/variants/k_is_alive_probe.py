# Main asks `t.is_alive()` while the worker runs: True and False are both reachable. Breaks: "reading a thread's liveness does not commute with that thread's remaining steps (the last one ends it)".
import threading

x = 0
alive = None


def w():
    global x
    x = 1


t = threading.Thread(target=w)
t.start()
alive = t.is_alive()
t.join()
assert alive, "the worker had already finished"
