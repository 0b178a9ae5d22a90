"""concurrent.futures, as the checker runs it: ThreadPoolExecutor and Future.

Written from the library's documented behaviour, in the subset the checker compiles, so its
switch points and atomicity follow the same rules as the program's own code (CPython writes this
module in Python too). What it leaves out (wait, callbacks, timeouts, cancelling a future by
hand) the program is refused before it runs.

The structure follows CPython 3.11: submit() puts a work item on the executor's queue and
starts a worker thread unless one is idle (up to max_workers); a worker runs items until it
takes None from the queue, which shutdown() and the interpreter's exit put there; a future's
state changes under its own condition variable, and result() waits on it. map() submits every
call at once and hands back the results in order, cancelling the rest if one raises.
as_completed() installs a waiter on every future, which each future tells when it finishes.
"""
import threading
import queue

_shutdown = False
_global_shutdown_lock = threading.Lock()
_queues = []
_workers = []
_counter = 0


class Future:
    def __init__(self):
        self._condition = threading.Condition()
        self._state = "PENDING"
        self._result = None
        self._exception = None
        self._waiters = []

    def running(self):
        with self._condition:
            return self._state == "RUNNING"

    def done(self):
        with self._condition:
            return self._state in ("CANCELLED", "FINISHED")

    def result(self):
        with self._condition:
            while self._state != "FINISHED":
                self._condition.wait()
            if self._exception is not None:
                raise self._exception
            return self._result

    def exception(self):
        with self._condition:
            while self._state != "FINISHED":
                self._condition.wait()
            return self._exception

    def _cancel(self):
        with self._condition:
            if self._state in ("RUNNING", "FINISHED"):
                return False
            self._state = "CANCELLED"
            self._condition.notify_all()
        return True

    def _set_running(self):
        with self._condition:
            if self._state == "CANCELLED":
                return False
            self._state = "RUNNING"
            return True

    def _finish(self, result, exception):
        with self._condition:
            self._result = result
            self._exception = exception
            self._state = "FINISHED"
            # By index, not by iterating the list: a FOR_ITER over a range runs inside the
            # transaction, where one over a list would end it.
            for i in range(len(self._waiters)):
                self._waiters[i].add_result(self)
            self._condition.notify_all()


class _Waiter:
    """What as_completed() waits on: the futures that finished since it last looked."""

    def __init__(self):
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.finished_futures = []

    def add_result(self, future):
        with self.lock:
            self.finished_futures.append(future)
            self.event.set()


def as_completed(fs):
    # CPython takes every future's condition at once (in the order of their ids), sorts them into
    # finished and pending, and installs its waiter on each. Taking them one at a time gives the
    # same outputs: a future that finishes after its turn comes out after those found finished,
    # which is one of the orders CPython may give them when it looks after both finished.
    unique = []
    for f in fs:
        if f not in unique:
            unique.append(f)
    finished = []
    waiter = _Waiter()
    for f in unique:
        with f._condition:
            if f._state == "FINISHED":
                finished.append(f)
            f._waiters.append(waiter)
    left = len(unique) - len(finished)
    # The futures already finished come out in the order of a set of them, which depends on
    # their addresses: any order (each next one is a choice the checker explores).
    n = len(finished)
    while n:
        i = _pick(n)
        f = finished[i]
        n -= 1
        finished[i] = finished[n]
        yield f
    while left:
        waiter.event.wait()
        with waiter.lock:
            done = waiter.finished_futures
            waiter.finished_futures = []
            waiter.event.clear()
        # The rest in the order they finished.
        for f in done:
            left -= 1
            yield f


def _run(item):
    future, fn, args, kwargs = item
    if not future._set_running():
        return
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        future._finish(None, exc)
    else:
        future._finish(result, None)


def _worker(executor, work_queue):
    while True:
        item = work_queue.get()
        if item is not None:
            _run(item)
            executor._idle_semaphore.release()
            continue
        if _shutdown or executor._shutdown:
            executor._shutdown = True
            work_queue.put(None)
            return


def _result_or_cancel(fs, i):
    try:
        return fs[i].result()
    except BaseException:
        j = len(fs) - 1
        while j > i:
            fs[j]._cancel()
            j -= 1
        raise


class ThreadPoolExecutor:
    def __init__(self, max_workers, thread_name_prefix=""):
        global _counter
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._max_workers = max_workers
        self._work_queue = queue.Queue()
        self._idle_semaphore = threading.Semaphore(0)
        self._threads = []
        self._shutdown = False
        self._shutdown_lock = threading.Lock()
        if thread_name_prefix:
            self._thread_name_prefix = thread_name_prefix
        else:
            self._thread_name_prefix = "ThreadPoolExecutor-%d" % _counter
            _counter += 1

    def submit(self, fn, *args, **kwargs):
        with self._shutdown_lock, _global_shutdown_lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if _shutdown:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
            f = Future()
            self._work_queue.put((f, fn, args, kwargs))
            self._adjust_thread_count()
            return f

    def _adjust_thread_count(self):
        if self._idle_semaphore.acquire(timeout=0):
            return
        num_threads = len(self._threads)
        if num_threads < self._max_workers:
            name = "%s_%d" % (self._thread_name_prefix, num_threads)
            t = threading.Thread(name=name, target=_worker, args=(self, self._work_queue))
            t.start()
            self._threads.append(t)
            _workers.append(t)
            _queues.append(self._work_queue)

    def map(self, fn, *iterables):
        fs = [self.submit(fn, *args) for args in zip(*iterables)]
        return (_result_or_cancel(fs, i) for i in range(len(fs)))

    def shutdown(self, wait=True):
        with self._shutdown_lock:
            self._shutdown = True
            self._work_queue.put(None)
        if wait:
            for t in self._threads:
                t.join()
            # Every worker has ended: the idle count is dead state. Draining it makes every
            # run that shut the executor down reach the same state (no thread can tell).
            while self._idle_semaphore.acquire(timeout=0):
                pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=True)
        return False


def _python_exit():
    global _shutdown
    with _global_shutdown_lock:
        _shutdown = True
    for q in _queues:
        q.put(None)
    for t in _workers:
        t.join()
