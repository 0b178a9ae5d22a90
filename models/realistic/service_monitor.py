"""A monitor thread polls a service every half second until the main thread tells it to stop."""
import threading

stop = threading.Event()
status = {"db": "unknown"}


def check_db():
    return "up"


def monitor():
    while not stop.wait(0.5):
        status["db"] = check_db()
    print("monitor stopped, db was", status["db"])


t = threading.Thread(target=monitor, name="monitor")
t.start()
stop.set()
t.join()
print("main done")
