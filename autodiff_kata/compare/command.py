"""`compare SUBMISSION...`: grade many submissions side by side with the reference."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from autodiff_kata import words
from autodiff_kata.compare import batch, processes, reports, snapshot, table
from autodiff_kata.engine import untraceable
from autodiff_kata.project import NoProject, Project, is_project
from autodiff_kata.registry import EXERCISES, Exercise, UnknownExercise, find

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
Grade many submissions with the graders of the kata checkout you stand in (or --project),
and compare them with the reference: who passes what, how far each one's outputs are from
the reference's, how fast its code is, and which submissions hand in the same code. Each
submission's code runs in worker processes, the verdicts are decided outside them; every
file is graded from a private copy taken before any submission runs. That limits what a
submission can do to the batch; it is no sandbox: run hostile code inside a container."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `compare`, for this module's parser and for the CLI's subparser."""
    parser.add_argument(
        "submissions", nargs="+", type=Path, metavar="SUBMISSION",
        help="a folder holding the exercise modules: a kata/ folder, or a checkout holding one",
    )  # fmt: skip
    parser.add_argument(
        "--project", type=Path, default=argparse.SUPPRESS, metavar="DIR",
        help="the kata checkout whose graders grade (default: the one around the current "
        "directory)",
    )  # fmt: skip
    parser.add_argument(
        "--reference", type=Path, default=None,
        help="the reference modules to compare with (default: the checkout's solutions/)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=None,
        help="write gradebook.csv, results.csv, report.md, report.html, report.json and "
        "feedback/<submission>.md here",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", "-j", type=int, default=1,
        help="grading sessions side by side, each grading submissions in turn (default 1)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS",
        help="time one grader test, or one exercise's probe, may spend in a submission's code "
        "before it counts as timed out (default 30, as in grading)",
    )  # fmt: skip
    parser.add_argument(
        "--memory", type=int, default=4096, metavar="MIB",
        help="address-space limit of each worker running a submission's code, MiB "
        "(default 4096; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--exercises", default=None, metavar="LIST",
        help="comma-separated numbers or names (default: every exercise that has a grader)",
    )  # fmt: skip
    parser.add_argument(
        "--no-probe", action="store_true",
        help="grade only: skip the deviation and speed measurements",
    )  # fmt: skip


class _Usage(Exception):
    """Arguments compare cannot act on; the message says why."""


def _project(given: Path | None) -> Project:
    if given is None:
        try:
            return Project.locate()
        except NoProject as error:
            raise _Usage(str(error)) from None
    if not is_project(given.resolve()):
        raise _Usage(
            f"--project {given}: not a kata checkout (it needs pyproject.toml, kata/ and "
            "tests/graders/)."
        )
    return Project(given.resolve())


def _exercises(selection: str | None, root: Path) -> list[Exercise]:
    if selection:
        try:
            return [find(key) for key in selection.split(",") if key.strip()]
        except UnknownExercise as error:
            raise _Usage(str(error)) from None
    return [e for e in EXERCISES if batch.grader_file(e, root).is_file()]


def _options(args: argparse.Namespace) -> batch.Options:
    project = _project(getattr(args, "project", None))
    exercises = _exercises(args.exercises, project.root)
    missing = [str(p) for p in args.submissions if not p.is_dir()]
    reference = batch.module_folder((args.reference or project.solutions).resolve())
    if missing or not reference.is_dir():
        raise _Usage(f"not a folder: {', '.join(missing or [str(args.reference)])}")
    if not exercises:
        raise _Usage(f"no exercise has a grader in {project.root}; nothing to grade.")
    return batch.Options(
        root=project.root,
        reference=reference,
        exercises=tuple(exercises),
        seconds=args.timeout,
        memory_bytes=args.memory * 2**20 if args.memory else None,
        probe=not args.no_probe,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """What `compare` does once its arguments are parsed; the exit status."""
    from rich.console import Console

    untraceable()  # it writes the reports: out of reach of a worker under the same user

    console = Console()
    errors = Console(stderr=True, soft_wrap=True)
    try:
        options = _options(args)
    except _Usage as error:
        table.print_lines(errors, f"compare: {error}")
        return EXIT_USAGE
    table.print_lines(
        console, f"graders: {options.root / 'tests' / 'graders'} (checkout {options.root})"
    )
    found = batch.submissions(args.submissions)
    jobs = max(1, min(args.jobs, len(found)))
    start = time.monotonic()
    done = 0

    def progress(row: batch.Row) -> None:
        nonlocal done
        done += 1
        table.print_lines(
            errors,
            f"[{done}/{len(found)}] {row.name}: {row.passed}/{len(row.cells)} "
            f"{words.verb(row.passed, 'passes', 'pass')} ({row.seconds:.1f} s)",
        )

    previous = signal.signal(signal.SIGTERM, _interrupt)  # as Ctrl-C: clean up, then stop
    try:
        with snapshot.private_folder() as private, snapshot.scratch_folder() as scratch:
            graded = batch.take_snapshots(options, found, private, scratch)
            rows = batch.grade_all(graded, jobs=jobs, progress=progress)
            similar = batch.mark_similar(rows, graded)
    except processes.Survivors as error:
        table.print_lines(errors, f"compare: {error}; no report written.")
        return 1
    except KeyboardInterrupt:
        table.print_lines(errors, "compare: interrupted; no report written.")
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    # Every session and worker of the batch is gone: only now is anything written.
    comparison = reports.Comparison(
        rows=rows,
        exercises=options.exercises,
        similar=similar,
        reference=str(options.reference),
        project=str(options.root),
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
    table.print_table(comparison, console)
    if args.out:
        written = reports.write_all(comparison, args.out)
        table.print_lines(console, f"wrote {words.count(len(written), 'file')} to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autodiff_kata.compare", description=DESCRIPTION
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
