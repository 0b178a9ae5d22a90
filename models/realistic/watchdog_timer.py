# A watchdog: a Timer marks the job as timed out unless the job finishes first and cancels it.
# The timer's callback checks the status, then writes it: the job can finish in between, and a
# job that finished is reported as timed out.
import threading

status = "running"


def on_timeout():
    global status
    if status == "running":
        status = "timed out"


def job():
    global status
    total = sum(range(5))
    status = "done"
    return total


watchdog = threading.Timer(2.0, on_timeout)
watchdog.start()
result = job()
watchdog.cancel()
watchdog.join()
print(status, result)
assert status == "done", f"the job finished, but its status is {status!r}"
