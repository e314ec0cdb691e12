"""How long grading takes, as a learner and an instructor meet it: `python -m autodiff_kata.speed`.

Every figure grades solutions/ and is a wall time. With `--baseline REV`, the same figure is
measured for that git revision of this project (checked out in a temporary worktree, its own
package first on the path), each pair side by side in this run, so that the machine's load
weighs on both alike:

- **cold pytest, the chapter's eight**: one whole `pytest` process over part 1's graders,
  torch's import included (the baseline's eight); and over every grader, without a baseline;
- **watch re-grade**: one exercise graded again after a save. Here: in this process, with the
  workers' warm parent already running, as `watch` does. The baseline's watch ran a fresh
  pytest process for each re-grade, which is what it is timed as;
- **compare, per submission**: `compare` over copies of solutions/ with `--jobs 2`, the
  chapter's eight exercises with the probe, batch wall time divided by the number of copies;
  like the cold runs, the median of `--repeat` batches, alternating with the baseline's.

An exercise the baseline does not have is timed without one.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import torch

from autodiff_kata import runner
from autodiff_kata.engine import warm_up
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, Exercise, in_part


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"failed in {cwd}: {' '.join(command)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    return elapsed


def _pytest(graders: list[Path]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl=solutions",
            *map(str, graders)]  # fmt: skip


def _compare(copies: list[Path], out: Path) -> list[str]:
    chapter = ",".join(str(e.number) for e in in_part(1))
    return [sys.executable, "-m", "autodiff_kata.compare", *map(str, copies), "--jobs", "2",
            "--exercises", chapter, "--out", str(out)]  # fmt: skip


def _median(measure: Callable[[], float], repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


class Checkout:
    """A checkout to time: this one, or a worktree of the baseline revision."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def grader(self, exercise: Exercise) -> Path:
        return self.root / "tests" / "graders" / f"test_{exercise.module}.py"

    def cold(self, exercises: tuple[Exercise, ...]) -> float:
        return _timed(_pytest([self.grader(e) for e in exercises]), self.root, self.env)

    def alone(self, exercise: Exercise) -> float:
        """A fresh pytest process for one exercise."""
        return _timed(_pytest([self.grader(exercise)]), self.root, self.env)

    def compare(self, copies: int, scratch: Path) -> float:
        folders = []
        for number in range(copies):
            folder = scratch / f"copy{number}"
            shutil.copytree(self.root / "solutions", folder, dirs_exist_ok=True)
            folders.append(folder)
        out = scratch / "report"
        return _timed(_compare(folders, out), self.root, self.env) / copies


def _baseline(here: Path, revision: str, scratch: Path, env: dict[str, str]) -> Checkout:
    worktree = scratch / "baseline"
    subprocess.run(["git", "-C", str(here), "worktree", "add", "--detach", str(worktree),
                    revision], check=True, capture_output=True)  # fmt: skip
    return Checkout(worktree, {**env, "PYTHONPATH": str(worktree)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median; 3)")
    parser.add_argument("--baseline", metavar="REV", help="also time this git revision")
    parser.add_argument("--copies", type=int, default=6, help="submissions for compare (6)")
    args = parser.parse_args(argv)
    project = Project.locate()
    scratch = Path(tempfile.mkdtemp(prefix="autodiff-kata-speed-"))
    env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": str(scratch / "inductor")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a learner's Python keeps its bytecode cache
    here = Checkout(project.root, env)
    base = _baseline(project.root, args.baseline, scratch, env) if args.baseline else None
    rows: list[tuple[str, float, float | None]] = []
    try:
        both = [c for c in (here, base) if c]
        cold = {id(c): [] for c in both}
        for _ in range(args.repeat):  # alternating, so that load weighs on both
            for checkout in both:
                cold[id(checkout)].append(checkout.cold(in_part(1)))
        rows.append(("cold pytest, the chapter's eight", *_pair(cold, here, base)))
        every = _median(lambda: here.cold(EXERCISES), args.repeat)
        rows.append((f"cold pytest, all {len(EXERCISES)}", every, None))
        warm_up(long_lived=True)
        runner.grade(project.solutions, EXERCISES, root=project.root)  # the warm-up grade
        for exercise in EXERCISES:

            def regrade(exercise: Exercise = exercise) -> float:
                started = time.perf_counter()
                runner.grade(project.solutions, [exercise], root=project.root)
                return time.perf_counter() - started

            now = _median(regrade, args.repeat)
            then = None
            if base and base.grader(exercise).is_file():
                then = _median(lambda e=exercise: base.alone(e), args.repeat)
            rows.append((f"watch re-grade, {exercise.label}", now, then))
        compared = {id(c): [] for c in both}
        for _ in range(args.repeat):  # alternating, as the cold runs: one batch moves by a tenth
            for checkout in both:
                folder = scratch / f"compare-{id(checkout)}"
                compared[id(checkout)].append(checkout.compare(args.copies, folder))
        rows.append(("compare, per submission (--jobs 2)", *_pair(compared, here, base)))
    finally:
        if base:
            subprocess.run(["git", "-C", str(project.root), "worktree", "remove", "--force",
                            str(base.root)], check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"Grading solutions/ on {date.today()}, torch {torch.__version__}, Python "
        f"{platform.python_version()}, {_cpu_model()} ({os.cpu_count()} cores)"
        + (f"; baseline {args.baseline}" if base else "")
        + ":\n"
    )
    print("| run | now | baseline | baseline ÷ now |\n|---|---|---|---|")
    for label, now, then in rows:
        ratio = f"{then / now:.2f}" if then else "—"
        shown = f"{then:.1f} s" if then else "—"
        print(f"| {label} | {now:.1f} s | {shown} | {ratio} |")


def _pair(
    times: dict[int, list[float]], here: Checkout, base: Checkout | None
) -> tuple[float, float | None]:
    now = statistics.median(times[id(here)])
    return now, statistics.median(times[id(base)]) if base else None


if __name__ == "__main__":
    main()
