#!/usr/bin/env python3
"""Lint counts and precision samples on the shared corpora (issue 9, part 5).

Extracts each corpus under $CARGO_TARGET_DIR/corpus (never committed), runs `schemaguard lint --use STRICT
--format json` on it, prints the count of findings per rule and the run time, then, for every heuristic rule,
a seeded random sample of 20 findings from the event corpora (Wikimedia primary + secondary, driver-eu Avro),
one per line, to be judged by hand. The verdicts are recorded in benches/lint_precision.md.

Usage: benches/lint_precision.py [path/to/schemaguard]   (default: target/release/schemaguard)
"""

import collections
import json
import os
import random
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("CORPUS", os.path.join(ROOT, "..", "..", "shared", "corpus"))
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/corpus"
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
OUT = os.path.join(TARGET, "corpus")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TARGET, "release", "schemaguard")

EVENT_CORPORA = ["wikimedia-event-primary-new", "wikimedia-event-secondary-new", "driver-eu-avro-new"]
OTHER_CORPORA = ["apache-avro-new", "schemastore-new", "googleapis-new"]
HEURISTIC = [
    "EVENT_NAME_FACT",
    "ANEMIC_EVENT",
    "EVENT_ENVELOPE",
    "TIMESTAMP_LOGICAL_TYPE",
    "MONEY_AS_FLOAT",
    "OPAQUE_PAYLOAD",
    "PII_TAGGED",
    "ADDITIONAL_PROPERTIES_EXPLICIT",
]
SEED = 9
SAMPLE = 20


def extract(name):
    dest = os.path.join(OUT, name)
    if not os.path.isdir(dest):
        os.makedirs(dest)
        with tarfile.open(os.path.join(CORPUS, name + ".tar.gz")) as t:
            t.extractall(dest, filter="data")
    return dest


def lint(name, preset):
    path = extract(name)
    start = time.time()
    p = subprocess.run(
        [BIN, "lint", "--use", preset, "--format", "json", "--fail-on", "never", path],
        capture_output=True,
        text=True,
    )
    secs = time.time() - start
    if p.returncode not in (0, 1, 2) or not p.stdout.strip():
        raise SystemExit(f"{name}: exit {p.returncode}\n{p.stderr[-2000:]}")
    return json.loads(p.stdout)["findings"], secs, p.returncode


def main():
    by_rule = collections.defaultdict(list)
    for preset in ["RECOMMENDED", "STRICT"]:
        print(f"## {preset}")
        for name in EVENT_CORPORA + OTHER_CORPORA:
            if name == "googleapis-new" and not os.path.exists(os.path.join(CORPUS, name + ".tar.gz")):
                continue
            findings, secs, code = lint(name, preset)
            counts = collections.Counter(f["rule"] for f in findings)
            print(f"{name}: {len(findings)} findings, {secs:.1f} s, exit {code}: " + ", ".join(f"{r} {n}" for r, n in sorted(counts.items())))
            if preset == "STRICT" and name in EVENT_CORPORA:
                for f in findings:
                    by_rule[f["rule"]].append(f)
    print("\n## Samples (event corpora, STRICT)")
    for rule in HEURISTIC:
        found = sorted(by_rule.get(rule, []), key=lambda f: (f["location"]["file"], f["location"]["line"], f["message"]))
        rng = random.Random(f"{SEED}-{rule}")
        sample = rng.sample(found, min(SAMPLE, len(found)))
        print(f"\n### {rule}: {len(found)} findings, sample {len(sample)}")
        for i, f in enumerate(sample, 1):
            loc = f["location"]
            file = loc["file"].split("/corpus/", 1)[-1]
            print(f"{i:2}. {file}:{loc['line']} {f['message']}")


if __name__ == "__main__":
    main()
