# --- hostile: the pipes a forkserver child inherits from the grading process. Ask its resource
# tracker (a process of the grading user) to "clean up" a shared memory object that is not
# this worker's, and write a byte down the forkserver's liveness pipe, which makes the
# forkserver fail an assertion and exit.
import contextlib as _contextlib
import os as _os

with _contextlib.suppress(Exception):
    from multiprocessing import resource_tracker as _tracker

    _os.write(_tracker._resource_tracker._fd, b"REGISTER:/hostile-victim-tampering:shared_memory\n")

with _contextlib.suppress(Exception):
    from multiprocessing import forkserver as _forkserver

    _os.write(_forkserver._forkserver._forkserver_alive_fd, b"x")
