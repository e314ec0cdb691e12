"""How long grading takes, measured as a learner meets it: `python -m autodiff_kata.speed`.

Each figure is the wall time of a whole `pytest` process (torch's import included) grading
solutions/. "Cold" runs first, with this project's bytecode caches and TorchInductor's cache
emptied; "warm" is the median of the runs after it.
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
from datetime import date
from pathlib import Path

import torch

from autodiff_kata.registry import EXERCISES, PROJECT_ROOT
from autodiff_kata.runner import grader_path


def _run(args: list[str], env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if finished.returncode != 0:
        sys.exit(f"grading failed ({' '.join(args)}):\n{finished.stdout[-2000:]}")
    return elapsed


def _empty_caches(inductor_cache: Path) -> None:
    for folder in PROJECT_ROOT.rglob("__pycache__"):
        if ".venv" not in folder.parts and "site-packages" not in folder.parts:
            shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(inductor_cache, ignore_errors=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per figure (default 3)")
    args = parser.parse_args(argv)
    inductor_cache = Path(tempfile.mkdtemp(prefix="inductor-cache-"))
    env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": str(inductor_cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a learner's Python keeps its bytecode cache

    everything = ["--impl=solutions"]
    _empty_caches(inductor_cache)
    rows = [("all eight, cold", _run(everything, env))]
    rows.append(
        ("all eight, warm", statistics.median(_run(everything, env) for _ in range(args.repeat)))
    )
    for exercise in EXERCISES:
        alone = [*everything, str(grader_path(exercise))]
        seconds = statistics.median(_run(alone, env) for _ in range(args.repeat))
        rows.append((f"{exercise.number:02d} {exercise.title}, alone, warm", seconds))
    print(
        f"Grading solutions/ on {date.today()}, torch {torch.__version__}, Python "
        f"{platform.python_version()}, {_cpu_model()} ({os.cpu_count()} cores):\n"
    )
    print("| run | wall time |\n|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
