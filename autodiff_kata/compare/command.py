"""`compare SUBMISSION...`: grade many submissions side by side with the reference."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from autodiff_kata.compare import batch, reports
from autodiff_kata.registry import EXERCISES, PROJECT_ROOT, UnknownExercise, find

DESCRIPTION = """\
Grade many submissions with the project's graders, each in its own processes (temporary
working directory, per-test timeout, memory and output limits), and compare them with the
reference: who passes what, how far each one's outputs are from the reference's, how fast
its code is, and which submissions hand in the same code. Submissions are untrusted code:
these limits stop accidents, not attacks; run hostile code inside a container."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `compare`, for this module's parser and for the CLI's subparser."""
    parser.add_argument(
        "submissions", nargs="+", type=Path, metavar="SUBMISSION",
        help="a folder holding the exercise modules: a kata/ folder, or a checkout holding one",
    )  # fmt: skip
    parser.add_argument(
        "--reference", type=Path, default=PROJECT_ROOT / "solutions",
        help="the reference modules to compare with (default: this project's solutions/)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=None,
        help="write results.csv, report.md, report.html, report.json and "
        "gradescope/<submission>/results.json here",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", "-j", type=int, default=1, help="submissions graded in parallel (default 1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS",
        help="time one grader test, or one exercise's probe, may spend in a submission's code "
        "before it counts as timed out (default 30, as in grading)",
    )  # fmt: skip
    parser.add_argument(
        "--memory", type=int, default=4096, metavar="MIB",
        help="address-space limit of each grading process, MiB (default 4096; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--exercises", default=None, metavar="LIST",
        help="comma-separated numbers or names (default: every exercise that has a grader)",
    )  # fmt: skip
    parser.add_argument(
        "--no-probe", action="store_true",
        help="grade only: skip the deviation and speed measurements",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """What `compare` does once its arguments are parsed; the exit status."""
    from rich.console import Console

    console = Console()
    errors = Console(stderr=True, soft_wrap=True)
    try:
        exercises = _exercises(args.exercises)
    except UnknownExercise as error:
        errors.print(f"compare: {error}", markup=False)
        return 2
    missing = [str(p) for p in args.submissions if not p.is_dir()]
    reference = batch.module_folder(args.reference.resolve())
    if missing or not reference.is_dir():
        errors.print(
            f"compare: not a folder: {', '.join(missing or [str(args.reference)])}", markup=False
        )
        return 2
    if not exercises:
        errors.print("compare: no exercise has a grader yet; nothing to grade.", markup=False)
        return 2
    options = batch.Options(
        reference=reference,
        exercises=tuple(exercises),
        test_seconds=args.timeout,
        memory_bytes=args.memory * 2**20 if args.memory else None,
        probe=not args.no_probe,
    )
    submissions = batch.submissions(args.submissions)
    jobs = max(1, min(args.jobs, len(submissions)))
    start = time.monotonic()
    done = 0

    def progress(row: batch.Row) -> None:
        nonlocal done
        done += 1
        errors.print(
            f"[{done}/{len(submissions)}] {row.name}: {row.passed}/{len(row.cells)} pass "
            f"({row.seconds:.1f} s)",
            markup=False,
            highlight=False,
        )

    rows = batch.grade_all(submissions, options, jobs=jobs, progress=progress)
    similar = batch.mark_similar(rows, options)
    comparison = reports.Comparison(
        rows=rows,
        exercises=exercises,
        similar=similar,
        reference=str(reference),
        generated=datetime.now().astimezone().isoformat(timespec="seconds"),
        seconds=time.monotonic() - start,
        jobs=jobs,
        settings={
            "timeout_s": args.timeout,
            "memory_mib": args.memory,
            "probe": not args.no_probe,
            "cpus": os.cpu_count(),
        },
    )
    reports.print_table(comparison, console)
    if args.out:
        written = reports.write_all(comparison, args.out)
        console.print(f"wrote {len(written)} files to {args.out}", markup=False)
    return 0


def _exercises(selection: str | None) -> list:
    if selection:
        return [find(key) for key in selection.split(",") if key.strip()]
    from autodiff_kata.runner import grader_path

    return [e for e in EXERCISES if grader_path(e).exists()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autodiff_kata.compare", description=DESCRIPTION
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
