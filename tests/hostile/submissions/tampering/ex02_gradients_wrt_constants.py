# --- hostile: find pytest's plugin managers through gc and register a hook that turns every
# report into a pass, at import and again at run time; then an error.
import contextlib as _contextlib
import gc as _gc


class _Liar:
    def pytest_runtest_logreport(self, report):
        report.outcome = "passed"
        report.longrepr = None

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_line("8/8 exercises pass")


def _register_liar():
    registered = 0
    for thing in _gc.get_objects():
        if type(thing).__name__ in ("PluginManager", "PytestPluginManager"):
            with _contextlib.suppress(Exception):
                thing.register(_Liar(), f"hostile-{id(thing)}")
                registered += 1
    return registered


_register_liar()


def gradients_wrt_constants(f, x, *constants):
    """Registers the liar again, then fails: only a hook in the grader's process could pass
    it."""
    registered = _register_liar()
    raise RuntimeError(f"HOSTILE: registered with {registered} plugin managers")
