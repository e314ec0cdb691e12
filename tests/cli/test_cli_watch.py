"""`watch`: re-grade on save, survive a syntax error, move on after a pass, quit on Ctrl-C.

The watcher runs in a subprocess; every wait is bounded, and the process is stopped (then
killed, if need be) whatever happens.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time

from autodiff_kata.registry import EXERCISES, find

WAIT = 150.0  # seconds, for one grading run on a slow, busy machine


class Watcher:
    def __init__(self, kata) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autodiff_kata", "watch", "--timeout", "600"],
            cwd=kata.root, env=kata.env(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        """Everything printed until a line holding `text` (and that line)."""
        start, deadline = len(self.seen), time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return "".join(self.seen[start:])
        raise AssertionError(f"watch never printed {text!r}; it printed:\n{''.join(self.seen)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


def test_watch_regrades_on_save_survives_a_syntax_error_moves_on_and_quits_on_ctrl_c(kata):
    ex01 = find(1)
    after = next((e for e in EXERCISES[1:] if kata.graded(e)), None)
    watcher = Watcher(kata)
    try:
        board = watcher.wait_for(f"Watching kata/{ex01.filename}")
        assert f"0/{len(EXERCISES)} exercises pass" in board

        kata.file(ex01).write_text("def first_derivative(f, x):\n    return (\n")
        broken = watcher.wait_for(f"Watching kata/{ex01.filename}")
        assert "syntax error at line 2" in broken, "a syntax error is a failing grade, no crash"
        assert f"0/{len(EXERCISES)} exercises pass" in broken

        (kata.root / "kata" / ".backup").mkdir()  # not an exercise: saving here grades nothing
        (kata.root / "kata" / ".backup" / ex01.filename).write_text("old = 1\n")
        kata.solve(ex01)
        passed = watcher.wait_for(f"{ex01.label} passes")
        assert f"1/{len(EXERCISES)} exercises pass" in passed
        assert "Grading 01…" in passed
        if after:
            watcher.wait_for(f"Watching kata/{after.filename}")  # on to the next exercise

        watcher.process.send_signal(signal.SIGINT)
        assert watcher.process.wait(timeout=60) == 0
        watcher.wait_for("Stopped watching")
    finally:
        watcher.stop()
