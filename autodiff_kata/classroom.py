"""GitHub Classroom: the assignment's template repository (`autodiff-kata classroom --out DIR`).

The template is the kata as students receive it (the stubs, the graders, the package, the
project file), plus the autograding workflow GitHub Classroom runs on every push: one
command-grader step per exercise, each running the command a student runs,
`autodiff-kata check N`, for one point. It is written from the registry each time, so it is
always in step with the course; no copy of it is kept in the project.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodiff_kata import bundle, docs
from autodiff_kata.registry import EXERCISES, Exercise

WORKFLOW = ".github/workflows/classroom.yml"
PYTHON = "3.11"
TIMEOUT_MINUTES = 5  # per exercise; grading one takes seconds, a hang is cut at 30 s a test
CPU_TORCH = "https://download.pytorch.org/whl/cpu"
INSTALL = [
    # PyPI's torch for Linux is the CUDA build: gigabytes the runner does not need.
    f"python -m pip install -c {bundle.CONSTRAINTS} torch --index-url {CPU_TORCH}",
    f"python -m pip install -c {bundle.CONSTRAINTS} -e .",
]

GITIGNORE = """\
.venv/
__pycache__/
*.egg-info/
.pytest_cache/
.hypothesis/
.kata-state.json
.kata-grades.json
kata/.backup/
"""


def step_id(exercise: Exercise) -> str:
    return exercise.module.replace("_", "-")


def command(exercise: Exercise) -> str:
    """What the workflow runs for the exercise: exit code 0 only when it passes."""
    return f"autodiff-kata check {exercise.number}"


def _scalar(text: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are YAML's too."""
    return json.dumps(text)


def workflow() -> str:
    lines = [
        "# GitHub Classroom's autograding: one test per exercise, one point each, on every push.",
        "# Written by `autodiff-kata classroom` from the course's registry; each test runs the",
        "# command a student runs, `autodiff-kata check N`.",
        "name: Autograding Tests",
        '"on":',
        "  - push",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        f"      - name: Set up Python {PYTHON}",
        "        uses: actions/setup-python@v5",
        "        with:",
        f"          python-version: {_scalar(PYTHON)}",
        "      - name: Install the kata (CPU torch)",
        "        run: |",
        *(f"          {line}" for line in INSTALL),
    ]
    for exercise in EXERCISES:
        lines += [
            f"      - name: {_scalar(exercise.label)}",
            f"        id: {step_id(exercise)}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_scalar(exercise.label)}",
            '          setup-command: ""',
            f"          command: {_scalar(command(exercise))}",
            f"          timeout: {TIMEOUT_MINUTES}",
            "          max-score: 1",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
        *(
            f'          {step_id(e).upper()}_RESULTS: "${{{{steps.{step_id(e)}.outputs.result}}}}"'
            for e in EXERCISES
        ),
        "        with:",
        f"          runners: {','.join(step_id(e) for e in EXERCISES)}",
    ]
    return "\n".join(lines) + "\n"


def readme() -> str:
    """The students' README: set up, the loop, what each push is graded on."""
    install = "\n".join(INSTALL).replace("python -m pip", "pip")
    return f"""\
# Autodiff kata: automatic differentiation in PyTorch, test by test

{len(EXERCISES)} exercises that port a TensorFlow 2 chapter on automatic differentiation to \
PyTorch. Fill in the functions in `kata/`; the graders in `tests/graders/` grade them.

## Set up (Python 3.11 or newer)

```bash
python3 -m venv .venv && . .venv/bin/activate
{install}
```

The second line fetches the CPU build of torch (PyPI's torch for Linux is the far larger
CUDA build); leave it out to keep a torch you already have.

## The loop

```text
autodiff-kata                   the board: every exercise, pass / fail / not started
autodiff-kata check 2           grade one exercise, with the graders' messages
autodiff-kata hint              stuck? the next hint, one more each time
autodiff-kata watch             re-grade on every save, move on when it passes
```

`pytest` grades all of them too. Each exercise file opens with a docstring that teaches its
scenario.

{docs.course_table()}

## Grading

Every push runs `.github/workflows/classroom.yml` on GitHub: one test per exercise, one point
each, and each runs `autodiff-kata check N`, the command you run here. What passes here
passes there. The reference solutions are not in this repository, so `autodiff-kata reset`
and `autodiff-kata solution` cannot work here: to start an exercise over, take its file from
your first commit (`git checkout $(git rev-list --max-parents=0 HEAD) -- kata/<file>`).
"""


def files(project: Path) -> bundle.Files:
    return {
        **bundle.grading(project),
        **bundle.stub_files(project),
        "README.md": bundle.File(readme().encode()),
        ".gitignore": bundle.File(GITIGNORE.encode()),
        WORKFLOW: bundle.File(workflow().encode()),
    }


def build(out: Path, project: Path) -> Path:
    """Write the template into `out` (a new or empty folder)."""
    bundle.write_folder(files(project), out)
    return out
