"""Tooling for the autodiff kata: the exercise registry, the grader's pytest plugin, the CLI."""
