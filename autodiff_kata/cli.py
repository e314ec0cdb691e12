"""The learner's command line: the board, grading, hints, watch, reset and the reference.

Every grade comes from the project's pytest graders, run by autodiff_kata.runner exactly as
`pytest` runs them: the command line never grades differently.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.syntax import Syntax
from rich.text import Text

from autodiff_kata import stubs
from autodiff_kata.compare.command import add_arguments as add_compare_arguments
from autodiff_kata.compare.command import run as run_compare
from autodiff_kata.gradescope import VISIBILITIES
from autodiff_kata.project import NoProject, Project, is_project
from autodiff_kata.registry import EXERCISES, Exercise, UnknownExercise, find
from autodiff_kata.state import State, StateNotSaved
from autodiff_kata.view import Output, Progress, all_pass, progress, report_json, up_next

EXIT_OK = 0  # every exercise asked for passes; or the command did what was asked
EXIT_FAIL = 1  # some exercise asked for does not pass; or the command was declined
EXIT_USAGE = 2  # bad arguments, unknown exercise, no project, no confirmation
EXIT_INTERRUPTED = 130

EPILOG = """\
the learner's loop (anywhere inside your checkout, or with --project DIR):
  {prog}                 the board: every exercise, the next one to do
  edit kata/exNN_*.py, then
  {prog} check N         grade it, with the graders' messages
  {prog} hint [N]        stuck? one more hint each time
  {prog} watch [N]       or: re-grade on every save, move on when it passes
  {prog} solution [N]    the reference, once it passes
  {prog} reset N         start an exercise over (your file is backed up first)
  {prog} reset N --undo  put your newest backup of N back (yours is backed up too)

Exercises are named by number (3) or name (second_derivative). Without one, hint,
watch and solution take the current exercise: the first that does not pass (a file
still the stub counts as not passing without being graded). watch N starts at N.
Options (--project DIR, --json) go before or after the command's name.

exit codes:
  0    status/check: every exercise asked for passes; other commands: done
  1    status/check: some exercise does not pass; solution: refused, the exercise
       does not pass yet (use --force); reset: declined at the prompt;
       reset --undo: no backup to put back
  2    usage error: bad arguments, unknown exercise, no kata checkout found,
       reset without --yes when nobody is at a terminal to confirm
  130  interrupted with Ctrl-C (watch quits with 0)
"""


class UsageError(Exception):
    """A request the command line cannot act on; the message says how to fix it."""


def exercise_arg(text: str) -> Exercise:
    try:
        return find(text)
    except UnknownExercise as error:
        raise UsageError(str(error)) from None


JSON_COMMANDS = ("status", "check", "hint")
# Defaults of the options every command takes, filled in once parsing is done (see _shared).
SHARED_DEFAULTS = {"project": None, "json": False}


def _shared(parser: argparse.ArgumentParser, json: bool) -> None:
    """--project (and --json) on `parser`, accepted before or after the command's name.

    Each parser gets its own copies, defaulting to SUPPRESS: a subcommand's parser fills its
    defaults into a namespace of its own and copies every attribute over the main parser's,
    so a default there would undo `--project DIR` given before the command's name. (Shared
    `parents=` actions are no way out: set_defaults on one parser rewrites them for all.)"""
    parser.add_argument(
        "--project",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the kata checkout to act on (default: the one around the current directory)",
    )
    if json:
        parser.add_argument(
            "--json",
            action="store_true",
            default=argparse.SUPPRESS,
            help="print machine-readable JSON instead of text (status, check, hint)",
        )


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Automatic differentiation in PyTorch, as a kata: the exercises in kata/, "
        "graded by the project's pytest graders.",
        epilog=EPILOG.format(prog=prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _shared(parser, json=True)
    parser.set_defaults(command="status", fresh=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help: str, json: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        _shared(sub, json)
        sub.set_defaults(command=name)
        return sub

    current = "number or name (default: the current exercise, the first that does not pass)"
    status = command(
        "status", "the board: every exercise, pass / fail / not started (default)", json=True
    )
    status.add_argument(
        "--fresh",
        action="store_true",
        default=argparse.SUPPRESS,
        help="grade every exercise again, even those whose files have not changed",
    )
    check = command("check", "grade one exercise, or all, with the graders' messages", json=True)
    check.add_argument("exercise", nargs="?", help="number or name (default: all)")
    check.add_argument("-v", "--verbose", action="store_true", help="also show pytest's output")
    hint = command("hint", "the next hint for an exercise, one more each time", json=True)
    hint.add_argument("exercise", nargs="?", help=current)
    watch = command("watch", "re-grade the current exercise on every save (Ctrl-C quits)")
    watch.add_argument(
        "exercise", nargs="?", help="the exercise to start from (default: the current one)"
    )
    watch.add_argument("--max-runs", type=int, default=None, help=argparse.SUPPRESS)
    watch.add_argument("--timeout", type=float, default=None, help=argparse.SUPPRESS)
    reset = command("reset", "restore an exercise's stub; your file is backed up first")
    reset.add_argument("exercise", nargs="?", help="number or name")
    reset.add_argument("--all", action="store_true", help="reset every exercise")
    reset.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    reset.add_argument(
        "--undo",
        action="store_true",
        help="put your newest backup of the exercise back (your current file is backed up first)",
    )
    solution = command("solution", "the reference solution, once the exercise passes")
    solution.add_argument("exercise", nargs="?", help=current)
    solution.add_argument("--force", action="store_true", help="show it even before it passes")
    gradescope = command(
        "gradescope", "instructors: write the Gradescope autograder, DIR/autograder.zip"
    )
    gradescope.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where autograder.zip goes"
    )
    gradescope.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="per grader test, in the submission's code (default 30)",
    )
    gradescope.add_argument(
        "--memory", type=int, default=4096, metavar="MIB", help="per exercise (default 4096)"
    )
    gradescope.add_argument(
        "--visibility",
        default="visible",
        choices=VISIBILITIES,
        help="when students see each exercise's result (default: visible)",
    )
    classroom = command(
        "classroom", "instructors: write the GitHub Classroom template repository into DIR"
    )
    classroom.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="a new or empty folder"
    )
    compare = commands.add_parser(
        "compare",
        help="instructors: grade many submissions side by side with the reference",
        description="Grade many submissions side by side with the reference.",
    )
    compare.set_defaults(command="compare")
    add_compare_arguments(compare)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "autodiff-kata") -> int:
    """Run one command; returns the exit code (see EPILOG)."""
    out = Output(prog)
    try:
        args = parse(argv, prog)
    except SystemExit as exit:  # argparse has printed the usage and the error (or --help)
        return exit.code if isinstance(exit.code, int) else EXIT_USAGE
    try:
        if args.command == "compare":  # needs no kata checkout of its own
            return run_compare(args)
        project = _project(args.project)
        return COMMANDS[args.command](args, project, out)
    except (UsageError, NoProject) as error:
        out.error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        out.error("interrupted.")
        return EXIT_INTERRUPTED


def parse(argv: Sequence[str] | None, prog: str = "autodiff-kata") -> argparse.Namespace:
    """The arguments, every option's default filled in; SystemExit on a usage error (argparse)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    for name, default in SHARED_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.json and args.command not in JSON_COMMANDS:
        served = ", ".join(JSON_COMMANDS[:-1]) + f" and {JSON_COMMANDS[-1]}"
        parser.error(f"--json: {args.command} has no JSON output; {served} do.")
    return args


def _project(path: Path | None) -> Project:
    if path is None:
        return Project.locate()
    if not is_project(path.resolve()):
        raise UsageError(
            f"--project {path}: not a kata checkout (it needs pyproject.toml, kata/ and "
            "tests/graders/): pass the folder you cloned the kata into."
        )
    return Project(path.resolve())


# commands ------------------------------------------------------------------------------


def status(args: argparse.Namespace, project: Project, out: Output) -> int:
    if not args.json:
        _checkout(project, out)
    grades = project.grade(EXERCISES, reuse=not args.fresh)
    report = grades.report
    if args.json:
        out.json(report_json(project, grades, "status"))
    else:
        out.board(project, report)
        out.remembered(len(grades.reused))
    return EXIT_OK if all_pass(report) else EXIT_FAIL


def check(args: argparse.Namespace, project: Project, out: Output) -> int:
    exercises = [exercise_arg(args.exercise)] if args.exercise else list(EXERCISES)
    if not args.json:
        _checkout(project, out)
    graded = project.grade(exercises)
    report = graded.report
    if args.json:
        out.json(report_json(project, graded, "check"))
        return EXIT_OK if all_pass(report) else EXIT_FAIL
    if args.verbose:
        out.console.print(Text(graded.output.rstrip()))
    for result in report.exercises:
        out.result(project, result)
    if len(exercises) > 1:
        out.print((f"{report.passed}/{len(exercises)} exercises pass", "bold"))
        out.next_steps(project, report)
    return EXIT_OK if all_pass(report) else EXIT_FAIL


def _checkout(project: Project, out: Output) -> None:
    """Which checkout is graded: a learner with two clones sees at once which one it was."""
    out.print((f"checkout: {project.root}", "dim"))


def current_exercise(project: Project, command: str) -> Exercise:
    """The exercise the board points at: the first, in course order, that does not pass.

    A file that is still its stub (or is missing) cannot pass, so only the exercises before
    the first such file are graded, reusing pytest's grades of unchanged files: `hint` with
    no number stays quick. (Unlike the board, a stub without a grader counts as current.)"""
    before: list[Exercise] = []
    for exercise in EXERCISES:
        if _is_stub(project, exercise):
            break
        before.append(exercise)
    stub = EXERCISES[len(before)] if len(before) < len(EXERCISES) else None
    upcoming = up_next(project.grade(before, reuse=True).report) if before else None
    chosen = upcoming.exercise if upcoming else stub
    if chosen is None:
        raise UsageError(f"every exercise passes: name the one you mean ({command} 3).")
    return chosen


def _is_stub(project: Project, exercise: Exercise) -> bool:
    """Whether the learner's file is missing, or still the stub the course handed out."""
    learner = project.learner_file(exercise)
    if not learner.is_file():
        return True
    try:
        solution = project.solution_file(exercise).read_text()
        return learner.read_text() == stubs.stub_text(exercise, solution)
    except (OSError, ValueError, SyntaxError):  # no reference to make the stub from
        return False


def hint(args: argparse.Namespace, project: Project, out: Output) -> int:
    exercise = exercise_arg(args.exercise) if args.exercise else current_exercise(project, "hint")
    state = State.load(project.state_path)
    total = len(exercise.hints)
    before = min(state.hints_seen.get(exercise.name, 0), total)
    shown = min(before + 1, total)
    _show_hints(exercise, before, shown, args.json, out)
    if shown != before:  # after showing: a state file that cannot be written costs no hint
        state.hints_seen[exercise.name] = shown
        _save(state, out)
    return EXIT_OK


def _show_hints(exercise: Exercise, before: int, shown: int, json: bool, out: Output) -> None:
    total = len(exercise.hints)
    if json:
        hints = list(exercise.hints[:shown])
        out.json({"exercise": exercise.name, "shown": shown, "total": total, "hints": hints})
        return
    if total == 0:
        out.print(f"{exercise.label} has no hints.")
        return
    out.print((f"Hints for {exercise.label} ({shown} of {total}):", "bold"))
    for number, text in enumerate(exercise.hints[:shown], start=1):
        fresh = number == shown and shown != before
        out.print((f"  {number}. ", "bold"), (text, "bold" if fresh else "dim"))
    if shown < total:
        out.print(
            "More: ",
            out.command("hint", exercise.number),
            f" again for hint {shown + 1} of {total}.",
        )
    else:
        out.print(
            "That is the last hint. Once the exercise passes, ",
            out.command("solution", exercise.number),
            " shows the reference.",
        )


def _save(state: State, out: Output) -> None:
    """Save the state, or say why it could not be: the command itself has done its work."""
    try:
        state.save()
    except StateNotSaved as error:
        out.error(str(error))


def reset(args: argparse.Namespace, project: Project, out: Output) -> int:
    if args.undo:
        return undo(args, project, out)
    if args.all and args.exercise:
        raise UsageError("reset: name one exercise (reset 3) or pass --all, not both.")
    if not args.all and not args.exercise:
        raise UsageError("reset: name one exercise (reset 3) or pass --all.")
    targets = list(EXERCISES) if args.all else [exercise_arg(args.exercise)]
    plan: list[tuple[Exercise, str]] = []
    for exercise in targets:
        try:
            stub = stubs.stub_text(exercise, project.solution_file(exercise).read_text())
        except (OSError, SyntaxError) as error:
            out.error(f"cannot make the stub of {exercise.label} from its solution: {error}")
            return EXIT_FAIL
        learner = project.learner_file(exercise)
        if learner.is_file() and learner.read_text() == stub:
            out.print(f"{exercise.label}: already the stub, nothing to do.")
            continue
        plan.append((exercise, stub))
    if not plan:
        return EXIT_OK
    out.print(("This restores the stub of:", "bold"))
    for exercise, _ in plan:
        out.print(f"  {exercise.label} ({project.relative(project.learner_file(exercise))})")
    out.print(f"Your files are first copied to {project.relative(project.backups)}/.")
    if not args.yes and not _confirm(out, "Reset?"):
        return EXIT_FAIL
    stamp = _stamp()
    state = State.load(project.state_path)
    forgot = False
    for exercise, stub in plan:
        learner = project.learner_file(exercise)
        saved = ""
        if learner.exists():
            backup = _back_up(project, exercise, stamp)
            saved = f"; your version is in {project.relative(backup)}"
        learner.write_text(stub)
        if state.forget_hints(exercise.name):  # starting over: hints from the first again
            forgot = True
            saved += "; its hints start over"
        out.print((f"{exercise.label}: ", "bold"), f"restored the stub{saved}.")
    if not args.all:
        out.print("Changed your mind? ", out.command("reset", plan[0][0].number, "--undo"))
    if forgot:
        _save(state, out)
    return EXIT_OK


def undo(args: argparse.Namespace, project: Project, out: Output) -> int:
    """`reset N --undo`: the newest backup of N back in place. The file it replaces is backed
    up first (unless it is the untouched stub), so undoing again swaps them back."""
    if args.all or not args.exercise:
        raise UsageError("reset --undo puts back one exercise: name it (reset 3 --undo).")
    exercise = exercise_arg(args.exercise)
    learner = project.learner_file(exercise)
    kept = backups(project, exercise)
    if not kept:
        out.print(
            f"{exercise.label}: no backup of it in {project.relative(project.backups)}/, "
            "nothing to undo."
        )
        return EXIT_FAIL
    newest = kept[-1]
    wanted = newest.read_bytes()
    if learner.is_file() and learner.read_bytes() == wanted:
        out.print(
            f"{exercise.label}: {project.relative(learner)} is already your newest backup "
            f"({project.relative(newest)}), nothing to undo."
        )
        return EXIT_OK
    replaced = ""
    if learner.is_file() and not _is_stub(project, exercise):
        backup = _back_up(project, exercise, _stamp())
        replaced = f"; the file it replaces is in {project.relative(backup)}"
    learner.write_bytes(wanted)  # a fresh write, not copy2: editors and `watch` see the change
    out.print(
        (f"{exercise.label}: ", "bold"),
        f"put back {project.relative(newest)}{replaced}.",
    )
    return EXIT_OK


def _confirm(out: Output, question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError(
            "reset asks for confirmation, and there is no terminal to answer it: "
            "pass --yes to reset anyway (your files are backed up first)."
        )
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    out.print("Nothing was reset.")
    return False


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H-%M-%S")


def _back_up(project: Project, exercise: Exercise, stamp: str) -> Path:
    """Copy the learner's file to kata/.backup/<module>.<time>.py, never over an earlier one."""
    path = project.backups / f"{exercise.module}.{stamp}.py"
    count = 1
    while path.exists():
        path = project.backups / f"{exercise.module}.{stamp}-{count}.py"
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project.learner_file(exercise), path)
    return path


def backups(project: Project, exercise: Exercise) -> list[Path]:
    """The exercise's backups, oldest first: by the time in their names, then the counter
    (a plain sort would put <time>-1.py before <time>.py)."""
    pattern = re.compile(
        rf"{re.escape(exercise.module)}\.(\d{{4}}-\d\d-\d\dT\d\d-\d\d-\d\d)(?:-(\d+))?\.py"
    )
    found = []
    if project.backups.is_dir():
        for path in project.backups.iterdir():
            if (match := pattern.fullmatch(path.name)) and path.is_file():
                found.append((match[1], int(match[2] or 0), path))
    return [path for *_, path in sorted(found)]


def solution(args: argparse.Namespace, project: Project, out: Output) -> int:
    exercise = (
        exercise_arg(args.exercise) if args.exercise else current_exercise(project, "solution")
    )
    reference = project.solution_file(exercise)
    if not reference.is_file():
        out.error(f"{exercise.label}: the reference {project.relative(reference)} is missing.")
        return EXIT_FAIL
    if not args.force:
        result = project.grade([exercise], reuse=True).report.exercises[0]
        kind = progress(result)
        if kind != Progress.PASS:
            out.print(
                (f"{exercise.label} does not pass yet ({kind.value}): ", "bold"),
                "its reference solution is shown once it passes.",
            )
            out.print(
                "See why with ",
                out.command("check", exercise.number),
                ", get a hint with ",
                out.command("hint", exercise.number),
                ", or see it anyway with ",
                out.command("solution", exercise.number, "--force"),
                ".",
            )
            return EXIT_FAIL
    code = reference.read_text()
    out.print((f"Reference solution of {exercise.label} ({project.relative(reference)}):", "bold"))
    _code(out, code, "python")
    learner = project.learner_file(exercise)
    if not learner.is_file():
        return EXIT_OK
    diff = "".join(
        difflib.unified_diff(
            learner.read_text().splitlines(keepends=True),
            code.splitlines(keepends=True),
            fromfile=f"{project.relative(learner)} (yours)",
            tofile=f"{project.relative(reference)} (reference)",
        )
    )
    if not diff:
        out.print(("Your file is the reference, line for line.", "green"))
    else:
        out.print(("Your code against the reference (- yours, + reference):", "bold"))
        _code(out, diff, "diff")
    return EXIT_OK


def _code(out: Output, code: str, lexer: str) -> None:
    if out.terminal:
        out.console.print(Syntax(code.rstrip("\n"), lexer, theme="ansi_dark", word_wrap=True))
    else:
        out.console.print(Text(code.rstrip("\n")))


def watch(args: argparse.Namespace, project: Project, out: Output) -> int:
    from autodiff_kata import watch as watching  # watchfiles is needed by this command only

    start = exercise_arg(args.exercise) if args.exercise else None
    _checkout(project, out)
    return watching.run(project, out, start=start, max_runs=args.max_runs, timeout=args.timeout)


def gradescope(args: argparse.Namespace, project: Project, out: Output) -> int:
    from autodiff_kata import gradescope as platform

    try:
        settings = platform.Settings(
            timeout=args.timeout, memory_mib=args.memory, visibility=args.visibility
        )
    except ValueError as error:
        raise UsageError(f"gradescope: {error}") from None
    zipped = _bundled(lambda: platform.build(args.out, project.root, settings))
    out.print(("Wrote ", "bold"), str(zipped), f" (graders of {project.root}).")
    out.print(
        "Upload it as the autograder of a Gradescope programming assignment (base image "
        "Ubuntu 22.04, 2 GB of memory or more), worth one point per exercise."
    )
    return EXIT_OK


def classroom(args: argparse.Namespace, project: Project, out: Output) -> int:
    from autodiff_kata import classroom as platform

    target: Path = args.out
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"classroom: {target} is not an empty folder; name a new one.")
    _bundled(lambda: platform.build(target, project.root))
    out.print(("Wrote ", "bold"), f"the assignment's template repository into {target}.")
    out.print(
        "Push it to GitHub as a template repository and make it the starter code of a "
        "GitHub Classroom assignment; .github/workflows/classroom.yml grades every push."
    )
    return EXIT_OK


def _bundled(write: Callable[[], Path]) -> Path:
    from autodiff_kata.bundle import MissingFile

    try:
        return write()
    except MissingFile as error:
        raise UsageError(str(error)) from None


COMMANDS: dict[str, Callable[[argparse.Namespace, Project, Output], int]] = {
    "status": status,
    "check": check,
    "hint": hint,
    "watch": watch,
    "reset": reset,
    "solution": solution,
    "gradescope": gradescope,
    "classroom": classroom,
}
