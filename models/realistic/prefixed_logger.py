"""A logger class and a subclass that prefixes every message, shared by two threads."""
import threading


class Logger:
    def __init__(self):
        self.lines = []

    def log(self, message):
        self.lines.append(message)


class PrefixLogger(Logger):
    def __init__(self, prefix):
        super().__init__()
        self.prefix = prefix

    def log(self, message):
        super().log(self.prefix + message)


logger = PrefixLogger("[app] ")


def task(name):
    logger.log(f"{name} started")
    logger.log(f"{name} finished")


t1 = threading.Thread(target=task, args=("a",))
t2 = threading.Thread(target=task, args=("b",))
t1.start()
t2.start()
t1.join()
t2.join()
print(len(logger.lines), logger.lines[0].startswith("[app] "), sorted(logger.lines)[0])
