"""Checks of the benchmark machinery, with stand-ins: nothing here times anything."""

from __future__ import annotations

import math

import pytest
import torch

from autodiff_kata import bench, spies

CASES_BY_ID = {case.id: case for case in bench.cases()}


def record_synchronize(monkeypatch: pytest.MonkeyPatch, events: list) -> None:
    def synchronize(device: object = None) -> None:
        events.append(("synchronize", device))

    monkeypatch.setattr(torch.cuda, "synchronize", synchronize)


def test_the_timer_waits_for_cuda_work_before_it_stops(monkeypatch):
    events: list = []
    record_synchronize(monkeypatch, events)
    monkeypatch.setattr(bench, "clock", lambda: events.append("clock") or float(len(events)))

    run = bench.synchronised(lambda: events.append("work") or "result", "cuda:1")
    _, result = bench.first_call(run)

    assert result == "result"
    assert events == ["clock", "work", ("synchronize", torch.device("cuda:1")), "clock"]


def test_each_timed_call_synchronises_on_cuda(monkeypatch):
    events: list = []
    record_synchronize(monkeypatch, events)
    run = bench.synchronised(lambda: events.append("work"), "cuda")
    for _ in range(3):  # as pytest-benchmark calls it, round after round
        run()
    assert events == ["work", ("synchronize", torch.device("cuda"))] * 3


def test_cpu_work_is_not_synchronised(monkeypatch):
    events: list = []
    record_synchronize(monkeypatch, events)
    work = lambda: events.append("work")  # noqa: E731
    assert bench.synchronised(work, "cpu") is work
    bench.first_call(bench.synchronised(work, torch.device("cpu")))
    assert events == ["work"]


def test_peak_memory_is_read_on_cuda_only_beyond_what_was_held(monkeypatch):
    calls: list = []
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda d: calls.append(("reset", d)))
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda d: calls.append(("held", d)) or 200)
    monkeypatch.setattr(
        torch.cuda, "max_memory_allocated", lambda d: calls.append(("peak", d)) or 712
    )
    assert bench.peak_memory("cpu", bench.reset_peak_memory("cpu")) is None
    assert calls == []
    held = bench.reset_peak_memory("cuda:0")
    assert bench.peak_memory("cuda:0", held) == 512
    cuda = torch.device("cuda:0")
    assert calls == [("reset", cuda), ("held", cuda), ("peak", cuda)]


def test_every_case_runs_on_the_cpu_for_reference_and_learner():
    on_cpu = [p for p in bench.params() if p.device == "cpu"]
    assert {p.case.id for p in on_cpu} == {c.id for c in bench.cases() if "cpu" in c.devices}
    for case in bench.cases():
        impls = sorted(p.impl for p in on_cpu if p.case is case)
        expected = ["learner", "reference"] if case.exercise else [""]
        if "cpu" not in case.devices:
            expected = []
        assert impls == expected, case.id


def test_cuda_cases_skip_with_their_reason_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    on_cuda = [p for p in bench.params() if p.device == "cuda"]
    # the CUDA-graph cases run only there; plain Python and the C++ wrapper, only on the CPU
    assert {p.case.id for p in on_cuda} == {c.id for c in bench.cases() if "cuda" in c.devices}
    assert all(not c.host_only for c in bench.cases() if "cuda" in c.devices)
    for param in on_cuda:
        with pytest.raises(pytest.skip.Exception, match=r"CUDA is not available.*not measured"):
            bench.require_device(param.device)
    assert bench.skip_reason("cpu") is None
    bench.require_device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_cases_skip_on_this_machine():
    assert "CUDA is not available" in bench.skip_reason("cuda")


def test_the_fast_mode_compiles_with_the_eager_backend(monkeypatch):
    calls: list = []
    monkeypatch.setattr(spies, "REAL_COMPILE", lambda *args, **kwargs: calls.append((args, kwargs)))
    bench.cheap_compile(len, fullgraph=True, mode="reduce-overhead", options={"cpp_wrapper": 1})
    bench.cheap_compile(fullgraph=True, backend="inductor")
    assert calls == [
        ((len,), {"backend": "eager", "fullgraph": True}),
        ((), {"backend": "eager", "fullgraph": True}),
    ]


def test_reference_and_learner_modules_live_side_by_side(tmp_path):
    for role, value in (("reference", 1), ("learner", 2)):
        (tmp_path / role).mkdir()
        (tmp_path / role / "ex09_demo.py").write_text(f"def answer():\n    return {value}\n")
    reference = bench.load_function(tmp_path / "reference", "ex09_demo", "answer", "reference")
    learner = bench.load_function(tmp_path / "learner", "ex09_demo", "answer", "learner")
    assert (reference(), learner()) == (1, 2)
    with pytest.raises(FileNotFoundError):
        bench.load_function(tmp_path, "ex09_demo", "answer", "learner")


def test_the_floor_takes_the_same_updates_in_python_floats():
    assert bench.python_floats(1.0, -2.0, 0.0) == pytest.approx(1 - 0.98**1000, abs=1e-12)


def test_break_even_counts_steps_until_compiling_pays():
    loop = CASES_BY_ID["ex07-compiled"]
    # 1000 steps: 200 ms eager, 100 ms compiled, 5 s to compile -> 0.1 ms saved per step
    assert bench.break_even(loop, 0.2, 0.1, 5.0) == pytest.approx(50_000)
    assert math.isinf(bench.break_even(loop, 0.1, 0.2, 5.0))
    one_call = CASES_BY_ID["ex04-compiled"]
    assert bench.break_even(one_call, 40e-6, 30e-6, 1.0) == pytest.approx(100_000)


def test_the_ratio_table_from_stand_in_measurements():
    m = bench.Measurement
    results: bench.Results = {
        ("cpu", "ex05-eager", "reference"): m(best_s=0.2),
        ("cpu", "ex05-eager", "learner"): m(best_s=0.3),
        ("cpu", "ex07-compiled", "reference"): m(best_s=0.1, first_call_s=5.1),
        ("cpu", "ex07-compiled", "learner"): m(skipped="not implemented yet"),
        ("cpu", "while-loop-fused-cpp", ""): m(best_s=0.0002, first_call_s=3.0002),
        ("cpu", "python-floats", ""): m(best_s=0.0001),
    }
    table = bench.ratio_table(results, "cpu")
    text = "\n".join(table)
    assert table[0].startswith("| scenario | case | time | compiled/eager | speed-up | learner |")
    assert "| ex05 SGD, eager | 200 ms | 1 | 1× | 300 ms | 1.5 |" in text
    assert "| 100 ms | 0.5 | 2× | not implemented yet | — | 5 s | 50,000 updates |" in text
    assert "| 200 µs | 0.001 | 1,000× | n/a | n/a | 3 s | 15,015 updates |" in text
    assert "eager/floor: 1000 eager SGD updates (ex05) take 2,000× as long" in text
    assert bench.ratio_table(results, "cuda") == []
