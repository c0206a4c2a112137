"""The scale bench keeps, for each row and size, the median of its rounds
(bench/scale.py `median_round`), so one noisy 10-second run does not decide a verdict."""

from bench.scale import median_round, verdict


def numbers(rps, p99_ms, errors=0):
    return {"rps": rps, "p99_us": p99_ms * 1000, "non_2xx_3xx": errors, "socket_errors": 0}


def test_the_median_round_and_the_median_p99_and_every_error():
    rounds = [numbers(900, 12), numbers(310, 40, errors=2), numbers(880, 11)]
    row = median_round(rounds)
    assert row["rps"] == 880  # the median round's figures
    assert row["p99_us"] == 12_000  # the median of the three p99s, not the median round's
    assert row["non_2xx_3xx"] == 2  # an error in any round is kept
    assert row["rounds"] == [(900, 12_000), (310, 40_000), (880, 11_000)]


def test_one_slow_round_no_longer_decides_the_verdict():
    small = median_round([numbers(1000, 10), numbers(990, 11), numbers(1010, 10)])
    large = median_round([numbers(980, 11), numbers(400, 30), numbers(1000, 10)])
    assert verdict("1.3x", small, large)
    # The slow round alone, as one round per size used to be measured, misses the target.
    assert not verdict("1.3x", small, numbers(400, 30))
