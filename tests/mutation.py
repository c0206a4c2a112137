"""`make mutation`: mutmut over the comment rules, one module after another.

Each mutant runs against only the tests that cover it (mutmut 3 records which tests call
which function in a first run of the selection in pyproject.toml, [tool.mutmut]). All the
modules asked for go to one `mutmut run` (one first run, one clean run), `--jobs` mutants at
a time, each in a pytest session with a test database of its own (tests/conftest.py,
`django_db_modify_db_settings`). For each module this prints the score (killed share) and
every survivor with the commands that show and re-run it. A tool, not a test: never part of
`make test` or CI.

    python tests/mutation.py [--minutes 45] [--jobs 2] [--fail-under 85] [moderation policy ...]
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = str(Path(sys.executable).parent / "mutmut")
MODULES = ("moderation", "policy", "pipeline", "spam")
KILLED = {"killed", "timeout", "caught by type check"}  # the tests (or the clock) noticed


LOG = ROOT / ".mutation-run.log"  # mutmut's own output: its spinner, or why it stopped


class MutmutFailed(Exception):
    """mutmut stopped by itself with an error (its clean test run failed, say)."""


def run_modules(modules, seconds, jobs):
    """One `mutmut run` for the modules' mutants, `jobs` at a time, stopped when the time
    is up. Returns (finished, seconds taken); raises `MutmutFailed` if mutmut gave up."""
    started = time.monotonic()
    with open(LOG, "w") as log:
        process = subprocess.Popen(
            [MUTMUT, "run", "--max-children", str(jobs), *(f"comments.{m}.*" for m in modules)],
            cwd=ROOT,
            env={**os.environ, "MUTATION_JOBS": str(jobs)},
            start_new_session=True,
            stdout=log,  # the summary below says it all, unless mutmut fails
            stderr=subprocess.STDOUT,
        )
        try:
            process.wait(timeout=max(seconds, 1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            return False, time.monotonic() - started
    if process.returncode != 0:
        raise MutmutFailed(f"mutmut stopped with exit code {process.returncode}")
    return True, time.monotonic() - started


def results():
    """{mutant name: status} for every mutant mutmut knows of (not yet run: "not checked")."""
    out = subprocess.run(
        [MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("comments."):
            found[name] = status
    return found


def report(module, statuses, finished):
    mine = {n: s for n, s in statuses.items() if n.startswith(f"comments.{module}.")}
    counts = Counter(mine.values())
    killed = sum(counts[s] for s in KILLED)
    total = len(mine) - counts["skipped"] - counts["not checked"]  # the mutants that ran
    score = 100 * killed / total if total else 0.0
    state = "" if finished else f" (stopped by the cap: {counts['not checked']} not checked)"
    print(f"comments/{module}.py: {score:.1f} % killed ({killed}/{total}){state}")
    print("    " + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())))
    for name, status in sorted(mine.items()):
        if status not in KILLED | {"skipped", "not checked"}:
            print(f"    {status}: {name}   (mutmut show {name}; mutmut run {name})")
    return killed, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=MODULES, choices=MODULES)
    parser.add_argument("--minutes", type=float, default=45)
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at a time")
    parser.add_argument("--fail-under", type=float, default=85)
    args = parser.parse_args()
    try:
        finished, seconds = run_modules(args.modules, 60 * args.minutes, max(args.jobs, 1))
    except MutmutFailed as failed:
        tail = LOG.read_text(errors="replace").splitlines()[-25:]
        print(f"{failed} before the mutants were judged; the end of {LOG.name}:")
        print("\n".join(f"    {line[-300:]}" for line in tail))  # the spinner has no newlines
        return 2
    statuses = results()
    killed = total = 0
    scores = []
    for module in args.modules:
        k, t = report(module, statuses, finished)
        killed, total = killed + k, total + t
        scores.append(100 * k / t if t else 100.0)
    score = 100 * killed / total if total else 100.0
    print(
        f"all: {score:.1f} % of the mutants run killed ({killed}/{total}) in {seconds / 60:.1f}"
        f" minutes{'' if finished else ', stopped by the cap'}; survivors above"
    )
    return 0 if finished and min(scores) >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
