#!/usr/bin/env python3
"""Applies NIST SP 800-22's proportion criterion to rng-entropy results.

Reads every *.jsonl file in the folder given (one file per sequence, as
written by `run_tests --suite nist --json --corpus ...`), and for every test
name counts the sequences it scored and how many had p >= 0.01. A test passes
when its proportion is at least 0.99 - 3*sqrt(0.99*0.01/m) (SP 800-22 rev 1a,
section 4.2.1). Tests reported as `insufficient` for the sequence length are
listed but not judged. Prints a table and a one-line verdict; exits 1 if any
judged test falls short.
"""

import json
import math
import pathlib
import sys

ALPHA = 0.01
# Tests that report several results per sequence (templates, excursion states).
REPEATED = {
    "nist::non_overlapping_template",
    "nist::random_excursions",
    "nist::random_excursions_variant",
}


def chance_below(m: int, minimum: float) -> float:
    """P(a test of m independent sequences falls below `minimum`) for a perfect generator."""
    return sum(
        math.comb(m, k) * ALPHA**k * (1 - ALPHA) ** (m - k)
        for k in range(m + 1)
        if (m - k) / m < minimum
    )


def main(folder: str) -> int:
    scored: dict[str, list[float]] = {}
    unscored: dict[str, str] = {}
    files = sorted(pathlib.Path(folder).glob("*.jsonl"))
    if not files:
        print(f"no *.jsonl results in {folder}", file=sys.stderr)
        return 2
    for path in files:
        for line in path.read_text().splitlines():
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            name = r["name"]
            if name in REPEATED:
                # One result per template / state: the note's first field names it.
                name += " " + (r.get("note") or "").split(",")[0]
            if r.get("status") == "scored" and r.get("p_value") is not None:
                scored.setdefault(name, []).append(float(r["p_value"]))
            else:
                unscored.setdefault(name, r.get("status", "?"))
    failures = 0
    expected_below = 0.0
    print(f"{'test':55} {'m':>4} {'passed':>6} {'proportion':>10} {'minimum':>8}  verdict")
    for name in sorted(scored):
        ps = scored[name]
        m = len(ps)
        passed = sum(1 for p in ps if p >= ALPHA)
        minimum = (1 - ALPHA) - 3 * math.sqrt(ALPHA * (1 - ALPHA) / m)
        ok = passed / m >= minimum
        expected_below += chance_below(m, minimum)
        failures += not ok
        print(f"{name:55} {m:4} {passed:6} {passed / m:10.4f} {minimum:8.4f}  {'ok' if ok else 'BELOW'}")
    for name in sorted(set(unscored) - set(scored)):
        print(f"{name:55} not judged: {unscored[name]} at this sequence length")
    judged = len(scored)
    print(
        f"{judged - failures}/{judged} tests meet the proportion criterion over "
        f"{len(files)} sequences of 16,000,000 bits"
        + (f"; {failures} below" if failures else "")
        + f" (a perfect generator falls below on about {expected_below:.1f} of them by chance)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
