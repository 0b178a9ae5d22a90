"""Two players alternate with a pair of Events: ping, pong, ping, pong."""
import threading

ping = threading.Event()
pong = threading.Event()
log = []

def player_ping():
    for _ in range(2):
        log.append("ping")
        ping.set()
        pong.wait()
        pong.clear()

def player_pong():
    for _ in range(2):
        ping.wait()
        ping.clear()
        log.append("pong")
        pong.set()

t1 = threading.Thread(target=player_ping)
t2 = threading.Thread(target=player_pong)
t1.start(); t2.start()
t1.join(); t2.join()
print(" ".join(log))
