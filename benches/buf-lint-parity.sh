#!/usr/bin/env bash
# Parity and CPU of schemaguard's buf lint rules against `buf lint` 1.75 on googleapis (issue 9 part 3).
#
#   benches/buf-lint-parity.sh [CATEGORIES...]      (default: STANDARD)
#
# Extracts ../shared/corpus/googleapis-new.tar.gz under target/corpus/ (never committed), writes a buf.yaml of
# `version: v2` with `lint: {use: [...]}`, runs `buf lint --error-format json` and schemaguard's lint on the same
# tree (each under /usr/bin/time), and compares the findings per rule by (path, line, column, rule). Writes the
# side-by-side table to target/corpus/buf-lint-parity.md. Needs buf 1.75: `npm install @bufbuild/buf@1.75.0`
# in a temp dir, then BUF=<dir>/node_modules/@bufbuild/buf-linux-x64/bin/buf.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPUS=${CORPUS:-$ROOT/../shared/corpus/googleapis-new.tar.gz}
[ -f "$CORPUS" ] || CORPUS=/work/shared/corpus/googleapis-new.tar.gz
BUF=${BUF:-/tmp/bufstyle-buf/node_modules/@bufbuild/buf-linux-x64/bin/buf}
CATS=("${@:-STANDARD}")
WORK=$ROOT/target/corpus
TREE=$WORK/gapi
mkdir -p "$TREE"
[ -e "$TREE/google" ] || tar -xzf "$CORPUS" -C "$TREE"
USE=$(IFS=,; echo "${CATS[*]}")
printf 'version: v2\nlint:\n  use: [%s]\n' "$USE" > "$TREE/buf.yaml"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo bench --bench buf_lint --no-run >/dev/null 2>&1
BIN=$(ls -t "$CARGO_TARGET_DIR"/release/deps/buf_lint-* | grep -v '\.d$' | head -1)

TAG=$(echo "$USE" | tr ',' '_')
( cd "$TREE" && /usr/bin/time -f '%U %S %e %M' -o "$WORK/buf-$TAG.time" "$BUF" lint --error-format json > "$WORK/buf-$TAG.json" || true )
/usr/bin/time -f '%U %S %e %M' -o "$WORK/sg-$TAG.time" "$BIN" "$TREE" "${CATS[@]}" > "$WORK/sg-$TAG.json" 2>"$WORK/sg-$TAG.err"

python3 - "$WORK/buf-$TAG.json" "$WORK/sg-$TAG.json" "$WORK/buf-$TAG.time" "$WORK/sg-$TAG.time" "$USE" > "$WORK/buf-lint-parity-$TAG.md" <<'PY'
import collections, json, sys
buf_f, sg_f, buf_t, sg_t, use = sys.argv[1:]
def load(p):
    out = collections.Counter()
    for line in open(p):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        out[(d["type"], d["path"], d["start_line"], d["start_column"])] += 1
    return out
b, s = load(buf_f), load(sg_f)
rules = sorted({k[0] for k in b} | {k[0] for k in s})
def t(p):
    u, sy, e, m = open(p).read().split()[-4:]
    return float(u) + float(sy), float(e), int(m) // 1024
bc, be, bm = t(buf_t); sc, se, sm = t(sg_t)
print(f"# buf lint parity on googleapis-new (`lint: {{use: [{use}]}}`)\n")
print("| rule | buf 1.75 | schemaguard | same (path, line, column) | only buf | only schemaguard |")
print("|---|---:|---:|---:|---:|---:|")
tot = [0] * 5
for r in rules:
    br = collections.Counter({k: v for k, v in b.items() if k[0] == r})
    sr = collections.Counter({k: v for k, v in s.items() if k[0] == r})
    same = sum((br & sr).values())
    row = [sum(br.values()), sum(sr.values()), same, sum((br - sr).values()), sum((sr - br).values())]
    tot = [a + c for a, c in zip(tot, row)]
    print(f"| {r} | " + " | ".join(map(str, row)) + " |")
print("| **total** | " + " | ".join(map(str, tot)) + " |\n")
print(f"CPU (user+sys): buf {bc:.1f} s, schemaguard {sc:.2f} s (ratio {sc / bc:.3f}); wall {be:.1f} s vs {se:.1f} s; peak RSS {bm} MB vs {sm} MB.\n")
for name, d in (("only buf", b - s), ("only schemaguard", s - b)):
    if d:
        print(f"First {name}:")
        for k in sorted(d)[:15]:
            print(f"- {k}")
        print()
PY
cat "$WORK/buf-lint-parity-$TAG.md"
