"""The words for an outcome: in full for the learner, or in a few words for a table.

Every view (pytest's board, the command line, compare's reports) words outcomes here, from
their fields; nothing parses these words back.
"""

from __future__ import annotations

import signal as signals

from autodiff_kata.registry import PARTS, Exercise
from autodiff_kata.results import Kind, Report, TestResult

_SIGNALS = {
    signals.SIGSEGV: "a segfault",
    signals.SIGKILL: "killed",
    signals.SIGABRT: "aborted",
    signals.SIGBUS: "a bus error",
    signals.SIGFPE: "an arithmetic fault",
    signals.SIGXCPU: "CPU time limit",
    signals.SIGXFSZ: "file size limit",
}


def part_heading(part: int, report: Report) -> str:
    """A part's heading on a board: its number, its title, how many of its exercises pass."""
    return f"Part {part}: {PARTS[part]} ({report.passed}/{len(report.exercises)})"


def signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _printed(detail: str) -> str:
    return f"\nIts last output:\n{detail}" if detail.strip() else ""


def message(exercise: Exercise, test: TestResult, file: str) -> str:
    """What the learner reads about one test; `file` is their module, as they would type it."""
    said = _message(exercise, test, file)
    return f"{said}\n{test.hint}" if test.hint else said


def _message(exercise: Exercise, test: TestResult, file: str) -> str:
    kind = test.kind
    if kind in (Kind.PASSED, Kind.WRONG):
        return test.detail
    if kind == Kind.NOT_IMPLEMENTED:
        task = test.detail or "fill in the function"
        return f"not implemented yet — open {file} and write {test.call}(): {task}"
    if kind == Kind.MISSING_FILE:
        return (
            f"{file} does not exist. Each exercise is a file named {exercise.filename}; restore "
            f"the stub with `autodiff-kata reset {exercise.number}`."
        )
    if kind == Kind.SYNTAX_ERROR:
        return f"{exercise.filename} has a syntax error at line {test.line}: {test.detail}"
    if kind == Kind.IMPORT_ERROR:
        return f"importing {exercise.filename} failed:\n{test.detail}"
    if kind == Kind.MISSING_FUNCTION:
        return (
            f"{exercise.filename} has no function {test.call}(); keep the name and signature "
            "the stub gave."
        )
    if kind == Kind.RAISED:
        return f"{test.call} raised an error:\n{test.detail}"
    if kind == Kind.TIMED_OUT:
        compiling = (
            " In graph mode, torch.compile over a long Python loop unrolls it, and compiling "
            "that takes minutes: compile the step, not the loop."
            if exercise.graph_mode
            else ""
        )
        return (
            "still running after its time limit; look for a loop that never ends (a while loop "
            "whose condition never changes, or a step count that is not the one given)." + compiling
        )
    if kind == Kind.HUNG:
        return (
            f"still running {test.detail} s after the call began, past its time limit, and deaf "
            "to the interruption (stuck in native code, or catching every exception?); stopped."
        )
    if kind == Kind.EXITED:
        return (
            f"the exercise's code ended its own process (exit code {test.code}): sys.exit(), "
            f"os._exit() or a crash in native code.{_printed(test.detail)}"
        )
    if kind == Kind.KILLED:
        what = _SIGNALS.get(test.signal or 0)
        name = signal_name(test.signal or 0) + (f" ({what})" if what else "")
        return f"the exercise's process died of {name}.{_printed(test.detail)}"
    if kind == Kind.OUT_OF_MEMORY:
        return (
            f"ran out of memory (the limit is {test.detail} MiB); look for a tensor that grows "
            "every step, or a recursion that never ends."
        )
    if kind == Kind.TOO_MUCH_OUTPUT:
        return f"printed more than {test.detail} bytes; stopped. Print less, or not at all."
    if kind == Kind.UNREADABLE:
        return f"its answer could not be read back: {test.detail}"
    if kind == Kind.NO_GRADER:
        return f"no grader ({test.detail} is missing); update your checkout."
    raise ValueError(kind)


def summary(test: TestResult | None) -> str:
    """A few words for a table cell or a board line."""
    if test is None:
        return ""
    kind = test.kind
    if kind in (Kind.PASSED, Kind.NOT_IMPLEMENTED):
        return "" if kind == Kind.PASSED else "stub"
    if kind == Kind.WRONG:
        lines = test.detail.strip().splitlines()
        return lines[0] if lines else ""
    if kind == Kind.SYNTAX_ERROR:
        return f"syntax error, line {test.line}"
    if kind == Kind.RAISED:
        return f"raised {test.error}" if test.error else "raised an error"
    if kind == Kind.KILLED:
        what = _SIGNALS.get(test.signal or 0)
        return signal_name(test.signal or 0) + (f": {what}" if what else "")
    if kind == Kind.EXITED:
        return f"exited with code {test.code}"
    return {
        Kind.MISSING_FILE: "module missing",
        Kind.IMPORT_ERROR: "import failed",
        Kind.MISSING_FUNCTION: "function missing",
        Kind.TIMED_OUT: "still running at the time limit",
        Kind.HUNG: "stuck past the time limit",
        Kind.OUT_OF_MEMORY: "out of memory",
        Kind.TOO_MUCH_OUTPUT: "too much output",
        Kind.UNREADABLE: "unreadable answer",
        Kind.NO_GRADER: "no grader",
    }[kind]
