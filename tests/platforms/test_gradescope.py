"""The Gradescope autograder, run for real: the zip written by the README's commands, unpacked
into a temporary /autograder (AUTOGRADER_ROOT), run_autograder run on submissions right,
wrong, crashing, hanging and hostile, and every results.json checked against Gradescope's
documented format. setup.sh is not run: this Python already has what it installs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from platforms import env, readme_commands, shell

from autodiff_kata import gradescope, stubs
from autodiff_kata.engine.supervisor import isolating_users
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)
SOLUTIONS = PROJECT.solutions
CASES = PROJECT.root / "tests" / "submissions"

# Gradescope's results.json, as documented in its autograder specifications.
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
TEST = {
    "score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
    "tags", "visibility", "extra_data",
}  # fmt: skip


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_format(results: Any) -> None:
    """The fields Gradescope documents, with the types and values it allows."""
    assert isinstance(results, dict), results
    assert set(results) <= TOP, f"fields Gradescope does not know: {set(results) - TOP}"
    assert is_number(results["score"]) and results["score"] >= 0, results["score"]
    assert is_number(results["execution_time"]) and results["execution_time"] >= 0
    assert isinstance(results["output"], str) and results["output"]
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert results.get(key, "text") in FORMATS, key
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITY, key
    assert isinstance(results["tests"], list)
    for test in results["tests"]:
        assert isinstance(test, dict) and set(test) <= TEST, test
        assert isinstance(test["name"], str) and test["name"], test
        assert isinstance(test["number"], str), test
        assert is_number(test["score"]) and is_number(test["max_score"]), test
        assert 0 <= test["score"] <= test["max_score"], test
        assert test["status"] in ("passed", "failed"), test
        assert isinstance(test["output"], str) and test["output"], test
        assert test["visibility"] in VISIBILITY, test
    if results["tests"]:
        assert results["score"] == sum(t["score"] for t in results["tests"])


def check_graded(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One test per exercise, one point each, in course order; the tests by exercise name."""
    check_format(results)
    assert [t["name"] for t in results["tests"]] == [e.label for e in EXERCISES]
    assert all(t["max_score"] == 1.0 for t in results["tests"])
    for test in results["tests"]:
        assert (test["status"] == "passed") == (test["score"] == 1.0), test
    return {e.name: t for e, t in zip(EXERCISES, results["tests"], strict=True)}


def check_no_paths(results: dict[str, Any], root: Path) -> None:
    """Nothing the students read names a path of the grading machine."""
    text = json.dumps(results)
    for path in (str(root), str(PROJECT.root), tempfile.gettempdir() + "/", "packages/", "/root/"):
        assert path not in text, f"{path} in {text}"


def unpack(archive: Path, target: Path) -> None:
    """Unzip as Gradescope does, keeping each file's mode (run_autograder is executable)."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = Path(zipped.extract(info, target))
            if mode := (info.external_attr >> 16) & 0o777:
                path.chmod(mode)


# the submissions ----------------------------------------------------------------------------

HOSTILE = """
import json as _json
import os as _os
import subprocess as _subprocess

_ROOT = _os.environ.get("AUTOGRADER_ROOT", "/autograder")
_RESULTS = _os.path.join(_ROOT, "results", "results.json")
_FORGED = _json.dumps({"score": 8.0, "output": "forged", "tests": []})


def _forge():
    try:
        with open(_RESULTS, "w") as file:
            file.write(_FORGED)
    except OSError:
        pass


_forge()
import atexit as _atexit  # noqa: E402

_atexit.register(_forge)
_subprocess.Popen(  # forges it again and again, for half a minute, unless it is stopped
    ["sh", "-c", f"for i in $(seq 60); do printf '%s' '{_FORGED}' > '{_RESULTS}'; sleep 0.5; done"],
    start_new_session=True,
)
_child = _os.fork()
if _child == 0:  # a daemon: a new session, its parent gone; the same, in Python
    _os.setsid()
    if _os.fork() == 0:
        import time as _time

        for _ in range(60):
            _forge()
            _time.sleep(0.5)
    _os._exit(0)
_os.waitpid(_child, 0)
"""

READS_THE_REFERENCE = """
import os as _os

try:  # the reference, where the autograder keeps it
    _root = _os.environ.get("AUTOGRADER_ROOT", "/autograder")
    exec(open(_os.path.join(_root, "source", "solutions", __file__.rsplit("/", 1)[-1])).read())
except OSError:
    pass
"""

SEGFAULT = "import ctypes\n\nctypes.string_at(0)\n"
HANGS = "def minimise_with_gradients(*args, **kwargs):\n    while True:\n        pass\n"


def solution(name: str) -> str:
    return (SOLUTIONS / find(name).filename).read_text()


def stub(name: str) -> str:
    exercise = find(name)
    return stubs.stub_text(exercise, (SOLUTIONS / exercise.filename).read_text())


def case(folder: str, name: str) -> str:
    return (CASES / folder / find(name).filename).read_text()


def write_modules(folder: Path, modules: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in modules.items():
        (folder / find(name).filename).write_text(text)


def stubs_only(submission: Path) -> None:
    write_modules(submission / "kata", {e.name: stub(e.name) for e in EXERCISES})


def two_wrong(submission: Path) -> None:
    """A repository holding a kata/ with three exercises right (one of them forging
    results.json as well), two wrong and the rest not there, beside a solutions/ folder
    that is not the one to grade."""
    modules = {name: solution(name) for name in ("gradients_wrt_constants", "second_derivative")}
    modules["first_derivative"] = case("ex01_hard_coded", "first_derivative")
    modules["minimise_with_gradients"] = case("ex05_no_zero_grad", "minimise_with_gradients")
    modules["minimise_with_closure"] = solution("minimise_with_closure") + HOSTILE
    write_modules(submission / "my-kata" / "kata", modules)
    reference = {e.name: solution(e.name) for e in EXERCISES}
    write_modules(submission / "my-kata" / "solutions", reference)


def misbehaves(submission: Path) -> None:
    """The modules at the submission's top, one way of misbehaving each: exercise 1 is right
    and forges results.json (now, at exit, and from detached processes later); 2 segfaults
    as it is imported; 3 is a link to the reference; 5 hangs; 6 loads the reference."""
    write_modules(
        submission,
        {
            "first_derivative": solution("first_derivative") + HOSTILE,
            "gradients_wrt_constants": SEGFAULT,
            "minimise_with_gradients": HANGS,
            "minimise_with_closure": stub("minimise_with_closure") + READS_THE_REFERENCE,
        },
    )
    reference = submission.parent / "source" / "solutions" / find("second_derivative").filename
    (submission / find("second_derivative").filename).symlink_to(reference)


# running ------------------------------------------------------------------------------------


class Run:
    """One unpacked autograder, its submission, and what run_autograder left."""

    def __init__(self, archive: Path, submit: Callable[[Path], None], **extra: str) -> None:
        self.extra = extra  # environment variables for run_autograder
        self.root = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.root.chmod(0o755)  # as /autograder is: the workers' users may look in
        unpack(archive, self.root / "source")
        self.submission.mkdir()
        submit(self.submission)
        self.output = ""

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def source(self) -> Path:
        return self.root / "source"

    def run(self) -> Run:
        done = subprocess.run(
            [str(self.source / "run_autograder")],
            cwd=self.root,
            env=env(AUTOGRADER_ROOT=str(self.root), **self.extra),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.output = done.stdout + done.stderr
        assert done.returncode == 0, self.output
        return self

    def results(self) -> dict[str, Any]:
        path = self.root / "results" / "results.json"
        assert path.is_file(), f"no results.json; run_autograder said:\n{self.output[-4000:]}"
        return json.loads(path.read_text())


def settings(run: Run, **changes: Any) -> None:
    path = run.source / "autograder.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


@pytest.fixture(scope="module")
def archive(checkout: Path) -> Path:
    """The zip, written by the README's own commands, which also grade the reference."""
    for command in readme_commands("Gradescope"):
        shell(command, cwd=checkout)
    return checkout / "gradescope" / "autograder.zip"


@pytest.fixture(scope="module")
def runs(archive: Path) -> Iterator[dict[str, Run]]:
    """Every case, run side by side; read a few seconds after the last ends, so that anything
    a submission left running has had its chance to write."""
    made = {
        "stubs": Run(archive, stubs_only),
        # Workers under the autograder's own user, as when an instructor is not root: a
        # forger could write results.json, and must be stopped before it does for good.
        "two wrong": Run(archive, two_wrong, AUTODIFF_KATA_SAME_USER="1"),
        "misbehaves": Run(archive, misbehaves),
        "broken settings": Run(archive, stubs_only),
        "no entry point": Run(archive, stubs_only),
    }
    settings(made["misbehaves"], timeout=3)
    (made["broken settings"].source / "autograder.json").write_text("{")
    entry = made["no entry point"].source / "autodiff_kata" / "gradescope.py"
    entry.write_text("raise ImportError('broken on purpose')\n")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(Run.run, made.values()))
    time.sleep(3)  # a forger still running would have written by now, several times
    yield made
    for run in made.values():
        shutil.rmtree(run.root, ignore_errors=True)


def test_the_readme_trial_grades_the_reference_full_marks(archive: Path, checkout: Path):
    results = json.loads((checkout / "trial" / "results" / "results.json").read_text())
    tests = check_graded(results)
    total = len(EXERCISES)
    assert results["score"] == float(total)
    assert all(t["status"] == "passed" for t in tests.values())
    assert results["output"].startswith(f"{total}/{total} exercises pass.")
    check_no_paths(results, checkout)


def test_paths_are_left_out_and_the_words_kept():
    places = {"/srv/x/kata/": "kata/", "/srv/x/kata": "kata"}
    text = (
        'File "/srv/x/kata/ex01_first_derivative.py", line 3; File "/usr/lib/python3.11/'
        'multiprocessing/spawn.py", line 135; dy/dx = 1/8; https://download.pytorch.org/whl/cpu'
    )
    assert gradescope.scrub(text, places) == (
        'File "kata/ex01_first_derivative.py", line 3; File "spawn.py", line 135; dy/dx = 1/8; '
        "https://download.pytorch.org/whl/cpu"
    )


def test_the_zip_holds_the_graders_and_no_answers(archive: Path):
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zipped.infolist()}
        scripts = {name: zipped.read(name) for name in ("setup.sh", "run_autograder")}
    assert {"setup.sh", "run_autograder", "pyproject.toml", ".ci/constraints.txt"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    for exercise in EXERCISES:
        assert f"tests/graders/test_{exercise.module}.py" in names
    assert "autodiff_kata/exercises.toml" in names
    assert not [n for n in names if n.startswith("kata/") or "__pycache__" in n]
    for name, script in scripts.items():  # bash reads them whole: no syntax error
        syntax = subprocess.run(["bash", "-n"], input=script, capture_output=True, check=False)
        assert syntax.returncode == 0, f"{name}: {syntax.stderr.decode()}"


def test_stubs_score_zero_and_say_which_file_to_open(runs: dict[str, Run]):
    run = runs["stubs"]
    results = run.results()
    tests = check_graded(results)
    assert results["score"] == 0.0
    for exercise in EXERCISES:
        said = tests[exercise.name]["output"]
        assert said.startswith(f"not implemented yet — open kata/{exercise.filename}"), said
    check_no_paths(results, run.root)


def test_two_wrong_exercises_fail_and_name_the_mistakes(runs: dict[str, Run]):
    run = runs["two wrong"]
    results = run.results()
    tests = check_graded(results)
    assert results["score"] == 3.0
    passed = {name for name, t in tests.items() if t["status"] == "passed"}
    assert passed == {"gradients_wrt_constants", "second_derivative", "minimise_with_closure"}
    assert "hard-coded" in tests["first_derivative"]["output"]
    assert "gradients accumulate" in tests["minimise_with_gradients"]["output"]
    missing = tests["derivative_in_graph_mode"]["output"]
    assert "kata/ex04_derivative_in_graph_mode.py does not exist" in missing, missing
    assert "Graded: the exercise modules in my-kata/kata/." in results["output"]
    check_no_paths(results, run.root)


def test_a_forger_under_the_graders_own_user_is_stopped_with_its_exercise(runs: dict[str, Run]):
    run = runs["two wrong"]
    assert "forged" not in (run.root / "results" / "results.json").read_text()


def test_a_segfault_at_import_fails_its_own_exercise_only(runs: dict[str, Run]):
    run = runs["misbehaves"]
    results = run.results()
    tests = check_graded(results)
    assert tests["first_derivative"]["status"] == "passed"
    said = tests["gradients_wrt_constants"]["output"]
    assert said.startswith("crashed") and "SIGSEGV" in said, said
    assert "at the top of your submission" in results["output"]
    check_no_paths(results, run.root)


def test_a_hang_is_stopped_at_the_time_limit_in_the_settings(runs: dict[str, Run]):
    run = runs["misbehaves"]
    results = run.results()
    said = check_graded(results)["minimise_with_gradients"]["output"]
    assert said.startswith("timeout") and "time limit" in said, said
    assert results["execution_time"] < 60
    check_no_paths(results, run.root)


def test_a_hostile_submission_cannot_change_its_score(runs: dict[str, Run]):
    run = runs["misbehaves"]
    results = run.results()
    assert "forged" not in json.dumps(results)
    tests = check_graded(results)
    said = tests["second_derivative"]["output"]
    assert "kata/ex03_second_derivative.py does not exist" in said, said  # a link is none
    if isolating_users():  # as on Gradescope: the reference is out of the submission's reach
        assert results["score"] == 1.0
        assert tests["minimise_with_closure"]["output"].startswith("not implemented yet")
    check_no_paths(results, run.root)


def test_a_failing_autograder_still_writes_a_zero_that_says_why(runs: dict[str, Run]):
    run = runs["broken settings"]
    results = run.results()
    check_format(results)
    assert results["score"] == 0.0 and results["tests"] == []
    assert results["output"].startswith("The autograder itself failed")
    assert "JSONDecodeError" in results["output"]
    assert "Traceback" in run.output  # the instructor's log has the whole story
    check_no_paths(results, run.root)


def test_an_autograder_that_cannot_start_still_writes_a_zero(runs: dict[str, Run]):
    run = runs["no entry point"]
    results = run.results()
    check_format(results)
    assert results["score"] == 0.0 and results["tests"] == []
    assert results["output"].startswith("The autograder itself failed (exit code 1)")
    check_no_paths(results, run.root)
