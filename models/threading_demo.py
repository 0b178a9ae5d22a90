import threading
import time
def download_file(name):
    print(f"Starting download: {name}")
    time.sleep(2) # Simulate network delay
    print(f"Finished: {name}")
# Create threads
t1 = threading.Thread(target=download_file, args=("file1.zip",))
t2 = threading.Thread(target=download_file, args=("file2.zip",))
t1.start()
t2.start()
# .join() tells the main program to wait for these threads to finish
t1.join()
t2.join()
print("All downloads complete.")
