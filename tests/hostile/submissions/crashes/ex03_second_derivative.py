# --- hostile: block the alarm that interrupts a call past its time limit, then loop forever
# at import: only the supervisor's hard deadline can end it.
import signal as _signal

_signal.pthread_sigmask(_signal.SIG_BLOCK, [_signal.SIGALRM])
while True:
    pass
