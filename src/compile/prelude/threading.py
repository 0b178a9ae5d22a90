"""threading's classes that CPython writes in Python on top of the ones the checker models
natively (Thread, Event, …): Timer.

Written from the library's documented behaviour, in the subset the checker compiles, with the
statements of CPython 3.11's threading.py, so its switch points follow the same rules as the
program's own code. Unlike concurrent.futures, its steps are not run as transactions: a Timer is
the program's own thread object, whose attributes the program may read and write.
"""
import threading

# Bound by assignment, not by import, as in threading.py itself (where they are defined), so
# that `Thread.__init__(self)` compiles to LOAD_METHOD as CPython's does: the methods below
# compile to the bytecode of CPython 3.11's own (tests/it/timers.rs compares them).
Thread = threading.Thread
Event = threading.Event


class Timer(threading.Thread):
    """Call a function after a specified number of seconds:

            t = Timer(30.0, f, args=None, kwargs=None)
            t.start()
            t.cancel()     # stop the timer's action if it's still waiting

    """

    def __init__(self, interval, function, args=None, kwargs=None):
        Thread.__init__(self)
        self.interval = interval
        self.function = function
        self.args = args if args is not None else []
        self.kwargs = kwargs if kwargs is not None else {}
        self.finished = Event()

    def cancel(self):
        """Stop the timer if it hasn't finished yet."""
        self.finished.set()

    def run(self):
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()
