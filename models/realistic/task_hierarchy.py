"""A base Task class with a template run() method; subclasses fill in the work."""
import threading


class Task:
    def __init__(self, name):
        self.name = name
        self.result = None

    def run(self):
        self.result = self.compute()

    def compute(self):
        return 0


class SquareTask(Task):
    def __init__(self, name, n):
        super().__init__(name)
        self.n = n

    def compute(self):
        return self.n * self.n


class SumTask(Task):
    def __init__(self, name, numbers):
        super().__init__(name)
        self.numbers = numbers

    def compute(self):
        return sum(self.numbers)


tasks = [SquareTask("square", 7), SumTask("sum", [1, 2, 3]), Task("noop")]
threads = [threading.Thread(target=task.run) for task in tasks]
for t in threads:
    t.start()
for t in threads:
    t.join()
for task in tasks:
    print(f"{task.name}: {task.result}")
