"""The cluster soak's report splits the approvals' delays by the fault window they were
answered in (bench/soak_cluster.py), so a slow approval is read beside its cause."""

from types import SimpleNamespace

from bench.soak_cluster import approval_windows


def test_approvals_are_split_by_the_fault_window_they_answered_in():
    rec = SimpleNamespace(
        faults=[("redis restart", 24.0, 26.0), ("app server stopped", 78.0, 100.0)],
        # comment 1 answered before any fault, 2 in the Redis window (10 s after its
        # start), 3 after that window, 4 while the app server was stopped (until 2 s after)
        approved_at={1: 5.0, 2: 33.0, 3: 35.0, 4: 101.5},
        visible=[
            (9001, 1, 0.2),
            (9002, 1, 0.4),
            (9001, 2, 3.0),
            (9001, 3, 0.5),
            (9001, 4, 1.5),
            (9002, 4, None),  # never shown: counted elsewhere, not a delay
        ],
    )
    windows = approval_windows(rec)
    assert windows["outside the faults"]["probes"] == 3
    assert windows["outside the faults"]["max_ms"] == 500.0
    assert windows["redis restart"] == {
        "probes": 1,
        "p50_ms": 3000.0,
        "p99_ms": 3000.0,
        "max_ms": 3000.0,
    }
    assert windows["app server stopped"]["probes"] == 1
