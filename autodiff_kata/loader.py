"""Load one exercise module from a submission and call its functions under guard.

Whatever the learner's code does — not written yet, a syntax error, a crash, a hang — comes
back as one of the exceptions below, each carrying a message written for the learner. They
derive from BaseException so that hypothesis stops at once instead of shrinking or replaying
a hanging example, and the plugin shows their message instead of a grader traceback.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from autodiff_kata.registry import Exercise


class ExerciseOutcome(BaseException):
    """An exercise's code did not give an answer to grade; `str()` is the learner's message."""


class NotImplementedYet(ExerciseOutcome):
    pass


class ExerciseTimedOut(ExerciseOutcome):
    pass


class ExerciseLoadError(ExerciseOutcome):
    pass


class ExerciseCrashed(ExerciseOutcome):
    pass


def _learner_frames(error: BaseException, path: Path) -> str:
    """The traceback lines that point into the learner's file, with the error at the end."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    lines = [f"  {path.name}:{f.lineno} in {f.name}: {(f.line or '').strip()}" for f in frames]
    return "\n".join([*lines, f"{type(error).__name__}: {error}"])


def shown(path: Path) -> str:
    """The path as a learner would type it: relative to where they are, when it is below."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _raised_in(error: BaseException, path: Path) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename) == path


def _crash(
    exercise: Exercise,
    path: Path,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: Exception,
) -> ExerciseCrashed:
    shown = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    return ExerciseCrashed(
        f"exercise {exercise.label}: {function.__name__}({shown}) raised an error:\n"
        f"{_learner_frames(error, path)}"
    )


@contextmanager
def deadline(at: float, exercise: Exercise) -> Iterator[None]:
    """Raise ExerciseTimedOut if the block is still running at monotonic time `at`."""
    if not hasattr(signal, "setitimer"):  # no SIGALRM (Windows): pytest-timeout is the backstop
        yield
        return
    remaining = at - time.monotonic()

    def expire(signum: int, frame: Any) -> None:
        compiling = (
            " In graph mode, torch.compile over a long Python loop unrolls it, and compiling "
            "that takes minutes: compile the step, not the loop."
            if exercise.graph_mode
            else ""
        )
        raise ExerciseTimedOut(
            f"exercise {exercise.label}: still running after its time limit; look for a loop "
            "that never ends (a while loop whose condition never changes, or a step count "
            f"that is not the one given).{compiling}"
        )

    if remaining <= 0:
        expire(0, None)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LearnerModule:
    """The exercise's functions, each call guarded: see the module docstring."""

    def __init__(self, exercise: Exercise, path: Path, time_limit: float) -> None:
        self.exercise = exercise
        self.path = path
        self._time_left = time_limit  # spent only while the submission's own code runs
        self._module: ModuleType | None = None
        # A module that does not load fails the test that first uses it, not the fixture
        # that loads it: pytest's fixture teardown expects nothing worse than an Exception.
        self._load_error: ExerciseLoadError | None = None
        try:
            self._module = self._load()
        except ExerciseLoadError as error:
            self._load_error = error

    def __repr__(self) -> str:
        return f"<{shown(self.path)}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _load(self) -> ModuleType:
        exercise, path = self.exercise, self.path
        if not path.is_file():
            raise ExerciseLoadError(
                f"exercise {exercise.label}: {shown(path)} does not exist. Each exercise is a "
                f"file named {exercise.filename}; restore the stub with "
                f"`autodiff-kata reset {exercise.number}`."
            )
        name = f"_submission_{exercise.module}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses, inspect and torch.compile look modules up here
        started = time.monotonic()
        try:
            with deadline(started + self._time_left, exercise):
                spec.loader.exec_module(module)
        except SyntaxError as error:
            sys.modules.pop(name, None)
            raise ExerciseLoadError(
                f"exercise {exercise.label}: {path.name} has a syntax error at line "
                f"{error.lineno}: {error.msg}\n    {(error.text or '').rstrip()}"
            ) from None
        except Exception as error:
            sys.modules.pop(name, None)
            raise ExerciseLoadError(
                f"exercise {exercise.label}: importing {path.name} failed:\n"
                f"{_learner_frames(error, path)}"
            ) from None
        finally:
            self._time_left -= time.monotonic() - started
        return module

    def unload(self) -> None:
        if self._module is not None:
            sys.modules.pop(self._module.__name__, None)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self.exercise.functions:
            raise AttributeError(name)
        if self._load_error is not None:
            raise self._load_error
        function = getattr(self._module, name, None)
        if not callable(function):
            raise ExerciseLoadError(
                f"exercise {self.exercise.label}: {self.path.name} has no function {name}(); "
                "keep the name and signature the stub gave."
            )
        return self._guarded(function)

    def _guarded(self, function: Callable[..., Any]) -> Callable[..., Any]:
        exercise, path = self.exercise, self.path

        def call(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            started = time.monotonic()
            try:
                with deadline(started + self._time_left, exercise):
                    return function(*args, **kwargs)
            except NotImplementedError as error:
                if not _raised_in(error, path):  # torch's own NotImplementedError is a crash
                    raise _crash(exercise, path, function, args, kwargs, error) from error
                task = str(error) or "fill in the function"
                raise NotImplementedYet(
                    f"exercise {exercise.label}: not implemented yet — open {shown(path)} and "
                    f"write {function.__name__}(): {task}"
                ) from None
            except Exception as error:
                raise _crash(exercise, path, function, args, kwargs, error) from error
            finally:
                self._time_left -= time.monotonic() - started

        return call
