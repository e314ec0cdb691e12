"""`python -m autodiff_kata`: the same command line as `autodiff-kata`."""

import sys

from autodiff_kata.cli import main

sys.exit(main(prog="python -m autodiff_kata"))
