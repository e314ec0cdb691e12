"""A board line names the error a submission raised by its message's first line, which the
worker sends as a fact of its own: torch follows many of its messages with lines of advice
(CUDA's end "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions."), and the
board once showed that last line instead of the error."""

from pathlib import Path

from autodiff_kata import runner, wording
from autodiff_kata.project import Project
from autodiff_kata.registry import find

PROJECT = Project.locate(Path(__file__).parent)

RAISES = """
def first_derivative(f, x):
    raise RuntimeError(
        "CUDA error: initialization error\\n"
        "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions."
    )
"""


def test_the_board_names_an_error_by_its_first_line(tmp_path):
    exercise = find(1)
    (tmp_path / exercise.filename).write_text(RAISES)
    graded = runner.grade(tmp_path, [exercise], root=PROJECT.root, extra_args=["--maxfail=1"])
    first = graded.report.exercises[0].first
    assert wording.summary(first) == "raised RuntimeError: CUDA error: initialization error"
    assert "TORCH_USE_CUDA_DSA" in first.detail, "the message in full is `check`'s to show"
