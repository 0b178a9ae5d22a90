"""Two requests record a visit to the same profile; a report prints its fields."""
import threading


class Profile:
    def __init__(self, name):
        self.name = name
        self.visits = 0
        self.tags = []

    def visit(self, tag):
        self.visits += 1  # read, add, write: not atomic
        if tag not in self.tags:  # check, then act: not atomic either
            self.tags.append(tag)


profile = Profile("ann")
requests = [threading.Thread(target=profile.visit, args=(tag,)) for tag in ("home", "home")]
for r in requests:
    r.start()
for r in requests:
    r.join()

for field, value in vars(profile).items():
    print(f"{field}: {value}")
