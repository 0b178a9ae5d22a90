"""The tutorial pattern: subclass threading.Thread, override run(), collect results."""
import threading
import time

sizes = {}
sizes_lock = threading.Lock()


class DownloadThread(threading.Thread):
    def __init__(self, url, size):
        super().__init__()
        self.url = url
        self.size = size

    def run(self):
        time.sleep(0.1)  # pretend to download
        with sizes_lock:
            sizes[self.url] = self.size


urls = {"a.com": 120, "b.org": 80}
threads = [DownloadThread(url, size) for url, size in urls.items()]
for t in threads:
    t.start()
for t in threads:
    t.join()

print(f"downloaded {len(sizes)} pages, {sum(sizes.values())} bytes")
