# --- hostile: patch what decides verdicts, as if the grader ran in this process -------------
# torch.testing.assert_close passes everything, every TestResult and ExerciseResult says
# "passed", the plugin's report claims every exercise passes; then a wrong answer (the
# chapter's value, hard-coded) that only a patch in the grader's own process would let pass.
import contextlib as _contextlib

import torch
import torch.testing as _testing


def _anything_is_close(*args, **kwargs):
    return None


_testing.assert_close = _anything_is_close
torch.testing.assert_close = _anything_is_close

with _contextlib.suppress(Exception):
    from autodiff_kata import results as _results

    class _AlwaysPassed(_results.TestResult):
        @property
        def status(self):
            return _results.Status.PASSED

    _results.TestResult = _AlwaysPassed
    _results.ExerciseResult.status = property(lambda self: _results.Status.PASSED)

with _contextlib.suppress(BaseException):
    from autodiff_kata import plugin as _plugin

    def _report_all_passed(self):
        report = _plugin.Report(impl=str(self.folder))
        for result in self.results.values():
            result.tests = [_plugin.TestResult("hostile", _plugin.Kind.PASSED)]
            report.exercises.append(result)
        return report

    _plugin.KataPlugin.report = _report_all_passed


def first_derivative(f, x):
    """The chapter's value, whatever f and x: wrong but for the chapter."""
    return torch.full_like(x, 2.0)
