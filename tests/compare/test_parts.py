"""The parts of `compare` that need no grading session: code fingerprints, deviations, naming
submissions, the words of a cell, snapshots, atomic reports, the sweep, and where the
graders come from."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from autodiff_kata import cli
from autodiff_kata.compare import reports, snapshot
from autodiff_kata.compare.batch import Cell, Row, _cell, module_folder, submissions
from autodiff_kata.compare.command import main as compare_main
from autodiff_kata.compare.probe import deviation
from autodiff_kata.compare.similarity import fingerprint, fingerprint_file, groups
from autodiff_kata.registry import EXERCISES, find
from autodiff_kata.results import ExerciseResult, Kind
from autodiff_kata.results import TestResult as Outcome  # not "Test...": pytest would collect it

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ["first_derivative"]

SOLUTION = '''
"""Exercise 1."""
import torch


def first_derivative(f, x):
    """Return df/dx."""
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
'''

RENAMED = """
import torch as t
from torch import Tensor


def first_derivative(function, point: Tensor) -> Tensor:
    # differentiate a copy
    point = point.detach().requires_grad_()
    (slope,) = t.autograd.grad(function(point), point)  # one input, one gradient
    return slope
"""

WITH_HELPER = """
import torch


def _copy(tensor):
    return tensor.detach().requires_grad_()


def first_derivative(f, x):
    x = _copy(x)
    return torch.autograd.grad(f(x), x)[0]
"""

WITH_HELPER_RENAMED = """
import torch


def make_leaf(t):
    '''A leaf that requires grad.'''
    return t.detach().requires_grad_()


def first_derivative(g, v):
    v = make_leaf(v)
    return torch.autograd.grad(g(v), v)[0]
"""

DIFFERENT = """
import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad
"""


def test_names_comments_docstrings_annotations_and_aliases_do_not_count():
    assert fingerprint(SOLUTION, PUBLIC) == fingerprint(RENAMED, PUBLIC)
    assert fingerprint(WITH_HELPER, PUBLIC) == fingerprint(WITH_HELPER_RENAMED, PUBLIC)


def test_different_code_differs():
    prints = {fingerprint(code, PUBLIC) for code in (SOLUTION, WITH_HELPER, DIFFERENT)}
    assert len(prints) == 3


def test_the_public_function_name_counts():
    assert fingerprint(SOLUTION, PUBLIC) != fingerprint(
        SOLUTION.replace("def first_derivative", "def derivative"), PUBLIC
    )


def test_the_reference_matches_a_copy_of_itself_and_not_the_stub():
    for exercise in EXERCISES:
        path = ROOT / "solutions" / exercise.filename
        assert fingerprint_file(path, exercise.functions) == fingerprint(
            path.read_text(), exercise.functions
        )
        assert fingerprint_file(path, exercise.functions) is not None


def test_stubs_and_broken_code_have_no_fingerprint():
    for exercise in EXERCISES:
        assert fingerprint_file(ROOT / "kata" / exercise.filename, exercise.functions) is None
    assert fingerprint("def first_derivative(f, x)\n    return x\n", PUBLIC) is None
    assert fingerprint_file(Path("/no/such/file.py"), PUBLIC) is None


def test_groups_hold_two_or_more_and_skip_missing_fingerprints():
    found = groups({"b": "1", "a": "1", "c": "2", "d": None, "e": None, "f": "3", "g": "3"})
    assert found == [["a", "b"], ["f", "g"]]


def test_deviation_is_the_largest_difference_over_every_output():
    assert deviation(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5])) == 0.5
    assert deviation((torch.tensor(1.0), 3.0), (torch.tensor(1.25), 2.0)) == 1.0
    assert deviation(torch.tensor(1.0), torch.tensor(1.0, dtype=torch.float64)) == 0


def test_deviation_is_infinite_when_the_outputs_do_not_line_up():
    assert math.isinf(deviation(torch.zeros(3), torch.zeros(())))
    assert math.isinf(deviation((torch.zeros(()),), (torch.zeros(()), torch.zeros(()))))
    assert math.isinf(deviation("2.0", torch.zeros(())))
    assert math.isinf(deviation(torch.tensor(math.nan), torch.tensor(0.0)))
    assert deviation(torch.tensor(math.nan), torch.tensor(math.nan)) == 0


def test_submissions_are_named_after_their_folder_and_kept_apart(tmp_path):
    for folder in ("alice/kata", "bob", "team/bob", "carol-checkout/kata"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / EXERCISES[0].filename).write_text("")
    found = submissions(
        [
            tmp_path / "alice",
            tmp_path / "bob",
            tmp_path / "team/bob",
            tmp_path / "carol-checkout/kata",
        ]
    )
    assert [s.name for s in found] == ["alice", "bob", "bob-2", "carol-checkout"]
    assert found[0].folder == tmp_path / "alice/kata"  # a checkout: its kata/ folder
    assert found[3].folder == tmp_path / "carol-checkout/kata"
    assert module_folder(tmp_path / "bob") == tmp_path / "bob"


def test_a_submission_is_never_called_reference(tmp_path):
    (tmp_path / "reference").mkdir()
    assert submissions([tmp_path / "reference"])[0].name == "reference-2"


# the words of a cell: the status, and wording.summary of the test that speaks for it ------

PASS = Outcome("t0", Kind.PASSED)


@pytest.mark.parametrize(
    ("tests", "status", "detail"),
    [
        ([Outcome("t", Kind.KILLED, signal=11)], "crashed", "SIGSEGV: a segfault"),
        ([Outcome("t", Kind.EXITED, code=3)], "crashed", "exited with code 3"),
        ([Outcome("t", Kind.OUT_OF_MEMORY, "4096")], "crashed", "out of memory"),
        ([Outcome("t", Kind.TOO_MUCH_OUTPUT, "10")], "crashed", "too much output"),
        ([PASS, Outcome("t", Kind.TIMED_OUT)], "timeout", "still running at the time limit"),
        ([Outcome("t", Kind.SYNTAX_ERROR, line=4)], "error", "syntax error, line 4"),
        ([Outcome("t", Kind.IMPORT_ERROR, "x")], "error", "import failed"),
        ([Outcome("t", Kind.MISSING_FUNCTION)], "error", "function missing"),
        ([Outcome("t", Kind.NOT_IMPLEMENTED)], "not implemented yet", "stub"),
        ([PASS, PASS, Outcome("t", Kind.WRONG, "expected 2")], "failed", "2/3 tests"),
        (
            [
                PASS,
                Outcome(
                    "t",
                    Kind.RAISED,
                    "  ex01.py:3 in f: x\nValueError: bad\nadvice on a line of its own",
                    error="ValueError: bad",
                ),
            ],
            "failed",
            "1/2 tests, raised ValueError: bad",
        ),
        ([PASS, PASS], "passed", "2/2 tests"),
    ],
)
def test_a_cell_takes_the_status_and_the_summary_of_the_test_that_speaks_for_it(
    tests, status, detail
):
    exercise = find(1)
    cell = _cell(exercise, ExerciseResult(exercise, tests), "/subs/alice/ex01.py")
    assert (cell.status, cell.detail) == (status, detail)
    assert [t["kind"] for t in cell.tests] == [t.kind.value for t in tests]


def test_a_cell_words_its_message_with_the_submission_s_own_path():
    exercise = find(1)
    result = ExerciseResult(exercise, [Outcome("t", Kind.NOT_IMPLEMENTED, "the task")])
    cell = _cell(exercise, result, "/subs/alice/ex01_first_derivative.py")
    assert cell.message.startswith("not implemented yet — open /subs/alice/ex01_first")


# snapshots -----------------------------------------------------------------------------


def test_the_private_folder_is_only_ours_and_goes_away():
    with snapshot.private_folder() as private:
        info = private.stat()
        assert info.st_mode & 0o777 == 0o700
        assert info.st_uid == os.geteuid()
    assert not private.exists()


def test_a_folder_others_can_enter_is_refused(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(snapshot.NotPrivate):
        snapshot.check_private(folder)


def test_the_hash_covers_every_module_s_name_and_bytes_in_course_order(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / EXERCISES[0].filename).write_text("one")
    (source / EXERCISES[2].filename).write_text("three")
    digest = snapshot.copy_modules(source, EXERCISES, tmp_path / "copy")
    expected = hashlib.sha256()
    for exercise, text in ((EXERCISES[0], b"one"), (EXERCISES[2], b"three")):
        expected.update(f"{exercise.filename}\0{len(text)}\0".encode() + text)
    assert digest == expected.hexdigest()
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == [
        EXERCISES[0].filename,
        EXERCISES[2].filename,
    ]
    (source / EXERCISES[2].filename).write_text("three!")
    assert snapshot.copy_modules(source, EXERCISES, tmp_path / "again") != digest


def test_only_regular_files_are_copied(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not a module")
    (source / EXERCISES[0].filename).symlink_to(secret)
    os.mkfifo(source / EXERCISES[1].filename)  # reading it would block for ever
    snapshot.copy_modules(source, EXERCISES, tmp_path / "copy")
    assert list((tmp_path / "copy").iterdir()) == []


def test_the_project_copy_holds_the_graders_and_pyproject(tmp_path):
    copy = snapshot.copy_project(ROOT, tmp_path / "project")
    graders = sorted(p.name for p in (ROOT / "tests" / "graders").glob("*.py"))
    assert sorted(p.name for p in (copy / "tests" / "graders").iterdir()) == graders
    assert (copy / "pyproject.toml").read_bytes() == (ROOT / "pyproject.toml").read_bytes()


# reports: whole files, in place at once ---------------------------------------------------


def test_every_report_file_is_written_to_a_temporary_name_then_moved_in_place(
    tmp_path, monkeypatch
):
    moved = []
    replace = os.replace

    def recording(source, destination):
        moved.append((Path(source), Path(destination)))
        replace(source, destination)

    monkeypatch.setattr(reports.os, "replace", recording)
    cell = Cell(1, "first_derivative", EXERCISES[0].module, "passed", "3/3 tests")
    row = Row("alice", "alice", "/subs/alice", [cell], sha256="ab" * 32)
    comparison = reports.Comparison(
        rows=[row], exercises=[EXERCISES[0]], similar={}, reference="/ref",
        project=str(ROOT), generated="2026-11-26T00:00:00+00:00",
    )  # fmt: skip
    written = reports.write_all(comparison, tmp_path / "out")
    assert sorted(destination for _, destination in moved) == sorted(written)
    for source, destination in moved:
        assert source.parent == destination.parent
        assert source.name.startswith(f".{destination.name}.")
    leftovers = [p for p in (tmp_path / "out").rglob(".*") if p.is_file()]
    assert leftovers == []
    assert "ab" * 32 in (tmp_path / "out" / "results.csv").read_text()
    assert "ab" * 32 in (tmp_path / "out" / "report.md").read_text()
    assert "ab" * 32 in (tmp_path / "out" / "report.html").read_text()


# the sweep -----------------------------------------------------------------------------

ORPHAN = """
import os, subprocess, sys, time
from autodiff_kata.compare import processes

assert processes.adopt_orphans()
keep = processes.descendants()
# A child that starts a grandchild in a session of its own, then exits: an orphan.
subprocess.run([sys.executable, "-c",
    "import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
    "'import time; time.sleep(60)', sys.argv[1]], start_new_session=True)", sys.argv[1]])
time.sleep(0.5)
orphans = processes.descendants() - keep
print(len(orphans))
print(len(processes.sweep(keep)))
print(len(processes.descendants() - keep))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreapers are Linux's")
def test_the_sweep_finds_and_kills_what_was_detached():
    marker = f"autodiff-kata-orphan-{os.getpid()}"
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN, marker], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["1", "0", "0"], done.stderr
    listed = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    assert marker not in listed


# where the graders come from -------------------------------------------------------------


def test_outside_a_checkout_compare_says_so_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert compare_main([str(tmp_path)]) == 2
    assert "no kata checkout" in capsys.readouterr().err


def test_project_must_name_a_checkout(tmp_path, capsys):
    assert compare_main([str(tmp_path), "--project", str(tmp_path)]) == 2
    said = " ".join(capsys.readouterr().err.split())  # folded to the terminal's width
    assert f"--project {tmp_path}: not a kata checkout" in said


def test_the_command_line_takes_project_after_compare(tmp_path, capsys):
    assert cli.main(["compare", str(tmp_path), "--project", str(tmp_path)]) == 2
    assert "not a kata checkout" in " ".join(capsys.readouterr().err.split())


def test_no_module_of_compare_defaults_to_the_installed_package_s_folder():
    for path in (ROOT / "autodiff_kata" / "compare").glob("*.py"):
        assert "PROJECT_ROOT" not in path.read_text(), path.name
