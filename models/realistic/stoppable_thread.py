"""A worker thread with a stop() method built on an Event, as in many answers."""
import threading


class StoppableWorker(threading.Thread):
    def __init__(self):
        super().__init__(name="ticker")
        self._stop_event = threading.Event()
        self.ticks = 0

    def stop(self):
        self._stop_event.set()

    def run(self):
        for _ in range(3):
            if self._stop_event.is_set():
                break
            self.ticks += 1


worker = StoppableWorker()
worker.start()
worker.stop()
worker.join()
print(f"{worker.name} ticked {worker.ticks} times, alive: {worker.is_alive()}")
