# --- hostile: a thread that is not a daemon and never ends, started at import ---------------
import threading as _threading
import time as _time


def _forever():
    while True:
        _time.sleep(1)


_threading.Thread(target=_forever, daemon=False, name="hostile-forever").start()
