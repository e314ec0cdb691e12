"""Which workers the plugin starts while an exercise is graded: the next exercise's, and the
next one's with something to prepare, so that neither waits when its turn comes."""

from pathlib import Path
from types import SimpleNamespace

from autodiff_kata.engine import WARM, warmed_for
from autodiff_kata.engine.proxy import ExerciseWorker
from autodiff_kata.engine.supervisor import Limits
from autodiff_kata.plugin import _started_early
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)


def _session(exercises, tests_each=2):
    session = SimpleNamespace(items=[])
    for exercise in exercises:
        for _ in range(tests_each):
            path = Path("tests/graders") / f"test_{exercise.module}.py"
            session.items.append(SimpleNamespace(path=path, session=session))
    return session


def _first_test_of(items, number):
    return next(i for i in items if i.path.stem == f"test_{find(number).module}")


def test_the_next_exercise_and_the_next_with_something_to_prepare(monkeypatch):
    monkeypatch.setenv(WARM, "eager")  # a one-off grade's parent
    items = _session(EXERCISES).items
    assert _started_early(_first_test_of(items, 1)) == [find(2), find(4)]  # 4: AOTAutograd
    assert _started_early(_first_test_of(items, 3)) == [find(4)]
    assert _started_early(_first_test_of(items, 4)) == [find(5), find(8)]
    assert _started_early(_first_test_of(items, 11)) == [find(12)]  # forward mode
    assert _started_early(_first_test_of(items, 16)) == []
    assert _started_early(items[1]) == _started_early(items[0])  # any test of the exercise


def test_nothing_to_prepare_where_the_parent_ran_it_all(monkeypatch):
    monkeypatch.setenv(WARM, ",".join(warmed_for(EXERCISES)))  # watch's, compare's
    items = _session(EXERCISES).items
    assert _started_early(items[0]) == [find(2)]


def test_only_the_exercises_being_graded(monkeypatch):
    monkeypatch.setenv(WARM, "eager")
    items = _session([find(1), find(8)]).items
    assert _started_early(items[0]) == [find(8)]
    assert _started_early(items[-1]) == []


def test_a_slow_preparation_is_waited_for_past_the_time_limit(monkeypatch):
    """A first compile through AOTAutograd takes a second or more to prepare, far past this
    limit: the worker that prepares it is still the one kept, not taken for a stopped one
    and replaced."""
    monkeypatch.setenv(WARM, "")
    exercise = next(e for e in EXERCISES if e.aot_autograd)
    limits = Limits(seconds=0.1, grace=0.1)
    worker = ExerciseWorker(exercise, PROJECT.solutions / exercise.filename, limits, False)
    try:
        worker.start()
        started = worker.unloaded.pid
        worker.wait_until_prepared()
        assert worker.unloaded.pid == started
    finally:
        worker.close()
