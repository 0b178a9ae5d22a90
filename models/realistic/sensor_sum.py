"""Two sensor threads add their reading to a shared total without a lock."""
import threading
import time

readings = {"sum": 0.0}


def add_reading(value):
    current = readings["sum"]
    time.sleep(0.1)  # the sensor takes a moment
    readings["sum"] = current + value


t1 = threading.Thread(target=add_reading, args=(21.5,))
t2 = threading.Thread(target=add_reading, args=(19.0,))
t1.start()
t2.start()
t1.join()
t2.join()
print(f"sum of readings: {readings['sum']:.1f}")
assert readings["sum"] == 40.5, "a reading was lost"
