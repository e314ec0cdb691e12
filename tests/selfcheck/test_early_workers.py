"""Which workers the plugin starts while an exercise is graded: the next exercise's, and the
next one's with something to prepare, so that neither waits when its turn comes."""

from pathlib import Path
from types import SimpleNamespace

import pytest

import autodiff_kata.engine
from autodiff_kata.engine import WARM, warmed_for
from autodiff_kata.engine.proxy import ExerciseWorker
from autodiff_kata.engine.supervisor import Limits
from autodiff_kata.plugin import early_starts
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)


@pytest.fixture(autouse=True)
def no_gpu(monkeypatch):
    """A machine without a GPU, whose warm parent runs what it was asked (on one with a GPU it
    runs nothing, and every graph-mode worker prepares: test_warm_parent)."""
    monkeypatch.setattr(autodiff_kata.engine, "gpu_possible", lambda: False)


def _items(exercises, tests_each=2):
    """What early_starts reads of a session's tests: each one's grader file."""
    return [
        SimpleNamespace(path=Path("tests/graders") / f"test_{exercise.module}.py")
        for exercise in exercises
        for _ in range(tests_each)
    ]


def test_the_next_exercise_and_the_next_with_something_to_prepare(monkeypatch):
    monkeypatch.setenv(WARM, "eager")  # a one-off grade's parent
    starts = early_starts(_items(EXERCISES))
    assert starts[find(1).module] == [find(2), find(4)]  # 4: AOTAutograd
    assert starts[find(3).module] == [find(4)]
    assert starts[find(4).module] == [find(5), find(8)]
    assert starts[find(11).module] == [find(12)]  # forward mode
    assert starts[find(16).module] == []
    assert list(starts) == [e.module for e in EXERCISES]  # each once, whatever its tests


def test_nothing_to_prepare_where_the_parent_ran_it_all(monkeypatch):
    monkeypatch.setenv(WARM, ",".join(warmed_for(EXERCISES)))  # watch's, compare's
    assert early_starts(_items(EXERCISES))[find(1).module] == [find(2)]


def test_where_the_parent_ran_nothing_every_graph_mode_worker_prepares(monkeypatch):
    monkeypatch.setenv(WARM, ",".join(warmed_for(EXERCISES)))
    monkeypatch.setattr(autodiff_kata.engine, "gpu_possible", lambda: True)  # it only imports
    starts = early_starts(_items(EXERCISES))
    assert starts[find(1).module] == [find(2), find(4)]
    assert starts[find(4).module] == [find(5), find(7)]  # 7: its own first compile


def test_only_the_exercises_being_graded(monkeypatch):
    monkeypatch.setenv(WARM, "eager")
    starts = early_starts(_items([find(1), find(8)]))
    assert starts == {find(1).module: [find(8)], find(8).module: []}


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
