"""Gradescope: the autograder zip (`autodiff-kata gradescope --out DIR`), and what it runs there.

The zip carries the project's own package, registry and graders, so a submission on Gradescope
gets the grade `pytest` and `compare` would give it: the submission's code runs in the engine's
worker processes (under users of their own, as Gradescope runs the autograder as root), and
this process decides the verdict and writes results.json. Whatever goes wrong, a results.json
is written: a grader that fails scores 0 and says so, rather than leaving Gradescope nothing.

On Gradescope the zip is unpacked into /autograder/source, run_autograder is copied to
/autograder/run_autograder, the submission is in /autograder/submission and the results go to
/autograder/results/results.json. AUTOGRADER_ROOT names another root (for a trial run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from autodiff_kata import bundle, wording
from autodiff_kata.files import write_atomically
from autodiff_kata.registry import EXERCISES
from autodiff_kata.results import ExerciseResult, Report, Status

ROOT_VARIABLE = "AUTOGRADER_ROOT"
SETTINGS_FILE = "autograder.json"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# Folders of a submission never searched for the exercise modules.
SKIPPED = {"__MACOSX", "__pycache__", ".backup", "node_modules"}
DEEPEST = 5  # levels below the submission's top that are searched

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: Python 3.11 or
# newer, the CPU build of the pinned torch, then the kata's package from this bundle, all in
# a virtual environment at $root/venv; then it grades the bundled reference, which must pass.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${AUTOGRADER_ROOT:-/autograder}"
venv="$root/venv"
constraints="$source_dir/.ci/constraints.txt"

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then  # Ubuntu 22.04's own Python is 3.10
  apt-get update
  apt-get install -y python3.11 python3.11-venv
  python=python3.11
fi
if ! "$python" -m venv "$venv"; then  # Ubuntu ships venv's pip apart
  rm -rf "$venv"
  apt-get update
  apt-get install -y "$("$python" -c 'import sys; print(f"python3.{sys.version_info[1]}-venv")')"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --upgrade pip
if [ "$(uname -s)" = Linux ]; then  # PyPI's torch for Linux is the CUDA build, gigabytes more
  "$venv/bin/python" -m pip install -c "$constraints" torch \
    --index-url https://download.pytorch.org/whl/cpu
fi
"$venv/bin/python" -m pip install -c "$constraints" "$source_dir"
PYTHONPATH="$source_dir" "$venv/bin/python" -m autodiff_kata.gradescope selftest
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this as root for every submission (as /autograder/run_autograder, from
# /autograder): grade /autograder/submission, write /autograder/results/results.json. With
# AUTOGRADER_ROOT set, that root instead. Whatever happens, a results.json is written.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
results="$root/results"
python=python3
if [ -x "$root/venv/bin/python" ]; then python="$root/venv/bin/python"; fi
mkdir -p "$results"
rm -f "$results/results.json"
PYTHONPATH="$root/source${PYTHONPATH:+:$PYTHONPATH}" "$python" -m autodiff_kata.gradescope run
status=$?
if [ "$status" -ne 0 ] || [ ! -s "$results/results.json" ]; then
  said="The autograder itself failed (exit code $status) before it could grade this submission,"
  said="$said so nothing was graded. Submit again; if it happens again, tell your instructor."
  {
    printf '{"score": 0.0, "execution_time": 0, "stdout_visibility": "hidden", "tests": [],\n'
    printf ' "output": "%s"}\n' "$said"
  } >"$results/results.json"
fi
exit 0
"""

README = """\
# The autodiff kata's Gradescope autograder

Made by `autodiff-kata gradescope`; upload the zip as it is. `setup.sh` installs Python 3.11+,
the pinned CPU build of torch and this package; `run_autograder` grades
/autograder/submission (kata/, its files, or a repository holding kata/) with the graders in
tests/graders and writes /autograder/results/results.json. Settings: autograder.json.
"""


@dataclass(frozen=True)
class Settings:
    """How submissions are graded there: written into the zip, read at every run."""

    timeout: float = 30.0  # seconds one grader test may spend in the submission's code
    memory_mib: int = 4096  # address space of an exercise's worker (0: no limit)
    output_bytes: int = 10_000_000  # what an exercise's worker may print
    visibility: str = "visible"  # of each exercise's result, for the students

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.memory_mib < 0 or self.output_bytes <= 0:
            raise ValueError(f"autograder settings out of range: {self}")
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"visibility {self.visibility!r} is none of {VISIBILITIES}")

    @classmethod
    def load(cls, path: Path) -> Settings:
        data = json.loads(path.read_text())
        return cls(
            timeout=float(data["timeout"]),
            memory_mib=int(data["memory_mib"]),
            output_bytes=int(data["output_bytes"]),
            visibility=str(data["visibility"]),
        )

    def text(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def limits(self) -> Any:
        from autodiff_kata.engine.supervisor import Limits  # imports torch

        memory = self.memory_mib * 2**20 if self.memory_mib else None
        return Limits(seconds=self.timeout, memory_bytes=memory, output_bytes=self.output_bytes)


@dataclass(frozen=True)
class Layout:
    """Gradescope's folders, under /autograder or AUTOGRADER_ROOT."""

    root: Path

    @classmethod
    def here(cls) -> Layout:
        return cls(Path(os.environ.get(ROOT_VARIABLE) or "/autograder").absolute())

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"


# the zip --------------------------------------------------------------------------------------


def files(project: Path, settings: Settings) -> bundle.Files:
    """Everything the zip holds; its top becomes /autograder/source."""
    return {
        "setup.sh": bundle.File(SETUP.encode(), executable=True),
        "run_autograder": bundle.File(RUN.encode(), executable=True),
        "README.md": bundle.File(README.encode()),  # pyproject.toml's readme
        SETTINGS_FILE: bundle.File(settings.text().encode()),
        **bundle.grading(project),
        **bundle.solutions(project),  # for setup.sh's self-test; unreadable to submissions
    }


def build(out: Path, project: Path, settings: Settings) -> Path:
    """Write out/autograder.zip: the same bytes for the same checkout and settings."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / "autograder.zip"
    partial = out / ".autograder.zip.partial"
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, file in sorted(files(project, settings).items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if file.executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.data)
    partial.replace(target)
    return target


# finding the submission's modules ------------------------------------------------------------


def module_files(folder: Path) -> list[Path]:
    """The exercise modules in `folder`: regular files only, never links (a link could point
    at the reference, which this process can read)."""
    found = []
    for exercise in EXERCISES:
        path = folder / exercise.filename
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def find_modules(submission: Path) -> Path | None:
    """The folder of the submission to grade: a kata/ holding exercise modules if there is
    one (a repository holds the reference too, perhaps), else the folder holding the most
    of them (its top, or deeper in: a zip of a folder); the shallower first. None when no
    folder holds any."""
    best: tuple[bool, int, int] | None = None
    chosen = None
    for folder, names, _ in os.walk(submission):
        here = Path(folder)
        depth = len(here.relative_to(submission).parts)
        names[:] = sorted(
            n for n in names if not n.startswith(".") and n not in SKIPPED and depth < DEEPEST
        )
        count = len(module_files(here))
        rank = (here.name == "kata", count, -depth)
        if count and (best is None or rank > best):
            best, chosen = rank, here
    return chosen


def where(found: Path, submission: Path) -> str:
    relative = found.relative_to(submission).as_posix()
    return "at the top of your submission" if relative == "." else f"in {relative}/"


# grading --------------------------------------------------------------------------------------


def scrub(text: str, places: Mapping[str, str]) -> str:
    """`text` without the grading machine's paths: each place given by what stands for it,
    then the folders of any other absolute path left out (Python's own files, a worker's
    scratch folder), keeping the file's name."""
    for path in sorted(places, key=len, reverse=True):
        text = text.replace(path, places[path])
    return re.sub(r"(?<![\w.:/])/(?:[^/\s\"'<>:]+/)+", "", text)


def _places(layout: Layout, kata: Path | None = None) -> dict[str, str]:
    """The grading machine's folders, and what a student reads in their place."""
    places: dict[str, str] = {}
    named = [(layout.source, "."), (layout.root, ""), *([(kata, "kata")] if kata else [])]
    for path, shown in named:
        for form in {str(path), str(path.resolve())}:
            places[form + "/"] = f"{shown}/" if shown else ""
            places[form] = shown or "."
    return places


def exercise_output(result: ExerciseResult | None, places: Mapping[str, str]) -> str:
    if result is None:
        return "not graded: its grader did not run. Tell your instructor."
    if result.status == Status.PASSED:
        count = len(result.tests)
        return f"passed: {count} test{'s' if count != 1 else ''} of its grader pass."
    first = result.first
    if first is None:
        return f"{result.status.value}."
    said = wording.message(result.exercise, first, f"kata/{result.exercise.filename}")
    if not said.startswith(result.status.value):  # "not implemented yet — open ..." says it
        said = f"{result.status.value} ({first.name})\n\n{said}"
    return scrub(said, places)


def results_json(
    report: Report,
    settings: Settings,
    places: Mapping[str, str],
    found: str | None,
) -> dict[str, Any]:
    """Gradescope's results.json: one test per exercise, one point each."""
    by_module = {r.exercise.module: r for r in report.exercises}
    tests = []
    for exercise in EXERCISES:
        result = by_module.get(exercise.module)
        passed = result is not None and result.status == Status.PASSED
        tests.append(
            {
                "name": exercise.label,
                "number": str(exercise.number),
                "score": 1.0 if passed else 0.0,
                "max_score": 1.0,
                "status": "passed" if passed else "failed",
                "output": exercise_output(result, places),
                "visibility": settings.visibility,
            }
        )
    score = sum(t["score"] for t in tests)
    lines = [f"{int(score)}/{len(tests)} exercises pass."]
    if found is None:
        lines.append(
            "Your submission holds none of the exercise modules (kata/ex01_first_derivative.py "
            "and the rest): submit the files of your kata/ folder, a zip of it, or your "
            "repository."
        )
    else:
        lines.append(f"Graded: the exercise modules {found}.")
    failing = [t["name"] for t in tests if t["status"] == "failed"]
    if failing:
        lines.append(f"Next: {failing[0]}.")
    return {
        "score": score,
        "output": "\n".join(lines),
        "output_format": "text",
        "test_output_format": "text",
        "stdout_visibility": "hidden",  # pytest's log names the grading machine's paths
        "tests": tests,
    }


def grade(layout: Layout, settings: Settings) -> dict[str, Any]:
    """Grade the submission in `layout`: its modules are copied to a private folder first,
    so what is graded is fixed, and shown as kata/<module>.py whatever its folder was."""
    from autodiff_kata.engine import warm_up

    warm_up()  # the workers' parent preloads torch while this process imports it too
    import autodiff_kata
    from autodiff_kata import runner

    print(f"grading with {Path(autodiff_kata.__file__).parent}", flush=True)
    _hide_reference(layout.source)
    found = find_modules(layout.submission) if layout.submission.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="autodiff-kata-submission-") as private:
        kata = Path(private) / "kata"
        kata.mkdir()
        for path in module_files(found) if found else []:
            shutil.copyfile(path, kata / path.name)
        graded = runner.grade(kata, EXERCISES, root=layout.source, limits=settings.limits())
        print(graded.output)  # the instructor's log (results/stdout), never shown to students
        if not graded.report.exercises:
            raise RuntimeError(f"the graders did not run (pytest's exit code {graded.exit_code})")
        found_at = where(found, layout.submission) if found else None
        return results_json(graded.report, settings, _places(layout, kata), found_at)


def _hide_reference(source: Path) -> None:
    """Submissions run under users of their own when this runs as root: the bundled reference
    is made unreadable to them (they could load it instead of their own code)."""
    reference = source / "solutions"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and reference.is_dir():
        reference.chmod(0o700)


def failed(error: BaseException, layout: Layout) -> dict[str, Any]:
    """What a student sees when the autograder itself fails: a zero that says why."""
    said = scrub(f"{type(error).__name__}: {error}", _places(layout))
    return {
        "score": 0.0,
        "output": (
            f"The autograder itself failed, so nothing was graded: {said}\n"
            "Submit again; if it happens again, tell your instructor."
        ),
        "stdout_visibility": "hidden",
        "tests": [],
    }


def write(path: Path, results: dict[str, Any]) -> None:
    """Write results.json whole (a rename), in a folder no submission can write to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        path.parent.chmod(0o755)
    write_atomically(path, json.dumps(results, indent=2) + "\n")


def run(layout: Layout) -> dict[str, Any]:
    started = time.monotonic()
    try:
        settings = Settings.load(layout.source / SETTINGS_FILE)
        results = grade(layout, settings)
    except Exception as error:
        traceback.print_exc()
        results = failed(error, layout)
    results["execution_time"] = round(time.monotonic() - started)
    write(layout.results, results)
    print(f"score: {results['score']}", flush=True)
    return results


def selftest(layout: Layout) -> bool:
    """Grade the bundled reference as a submission would be graded: all must pass."""
    with tempfile.TemporaryDirectory(prefix="autodiff-kata-selftest-") as scratch:
        trial = Layout(Path(scratch))
        shutil.copytree(layout.source / "solutions", trial.submission)
        trial.source.symlink_to(layout.source)
        results = run(trial)
    print(results["output"])
    return results["score"] == len(EXERCISES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autodiff_kata.gradescope",
        description="The Gradescope autograder's entry point (run_autograder, setup.sh).",
    )
    parser.add_argument("action", choices=["run", "selftest"], nargs="?", default="run")
    args = parser.parse_args(argv)
    layout = Layout.here()
    if args.action == "selftest":
        return 0 if selftest(layout) else 1
    run(layout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
