"""A thermostat exposes its target temperature as a property with a validating setter. Two
schedulers each raise it by 2 degrees through the property, without a lock, so one raise can
be lost."""
import threading


class Thermostat:
    def __init__(self, target):
        self._target = target

    @property
    def target(self):
        return self._target

    @target.setter
    def target(self, value):
        if not 5 <= value <= 30:
            raise ValueError(f"target {value} out of range")
        self._target = value


thermo = Thermostat(20)


def warm_up():
    thermo.target = thermo.target + 2


schedulers = [threading.Thread(target=warm_up) for _ in range(2)]
for s in schedulers:
    s.start()
for s in schedulers:
    s.join()

print("target:", thermo.target)
assert thermo.target == 24, f"a raise was lost: target is {thermo.target}"
