"""A consumer waits on a Condition until the producer has prepared the data."""
import threading

cond = threading.Condition()
data = []
ready = False


def prepare():
    global ready
    with cond:
        data.append(42)
        ready = True
        cond.notify_all()


def use():
    with cond:
        while not ready:
            cond.wait()
        print("got", data[0])


consumer = threading.Thread(target=use)
producer = threading.Thread(target=prepare)
consumer.start()
producer.start()
consumer.join()
producer.join()
