#!/usr/bin/env bash
# Contract test runner benchmarks (issue 10), on one machine, whole processes timed:
#  1. `schemaguard test` validating 100,000 single-event JSON files against a JSON Schema, side by side with
#     check-jsonschema (PyPI, installed in a venv under the target dir) on the same files: events/s per core;
#  2. the same 100,000 events as one JSONL file (check-jsonschema cannot read JSONL), plus peak memory;
#  3. `schemaguard test` on a repository of 50 Avro subjects × 20 examples, replayed against a baseline
#     (goal: whole process ≤ 200 ms).
# Usage: benches/contract-tests.sh [EVENTS]   (default 100000)
# Binary: $SCHEMAGUARD_BIN, else target/release/schemaguard (built with `cargo build --release` if missing).
set -euo pipefail
events="${1:-100000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${SCHEMAGUARD_BIN:-$target/release/schemaguard}"
[ -x "$bin" ] || cargo build --release --quiet --manifest-path "$root/Cargo.toml"
work="$target/bench-contract-tests"
rm -rf "$work" && mkdir -p "$work"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

# ---- 1. 100,000 JSON files -------------------------------------------------------------------------------
repo="$work/json"
mkdir -p "$repo/schemas" "$repo/examples/order"
cat > "$repo/schemas/order.schema.json" <<'JSON'
{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
 "required": ["id", "customer", "total", "currency", "status", "lines"],
 "properties": {
   "id": {"type": "string", "pattern": "^ord-[0-9]+$"}, "customer": {"type": "string", "minLength": 1},
   "total": {"type": "number", "minimum": 0}, "currency": {"enum": ["EUR", "USD", "GBP"]},
   "status": {"enum": ["NEW", "PAID", "SHIPPED"]}, "note": {"type": ["string", "null"]},
   "lines": {"type": "array", "items": {"type": "object", "required": ["sku", "qty"],
     "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}}
 }, "additionalProperties": false}
JSON
python3 - "$repo/examples/order" "$events" "$work/events.jsonl" <<'PY'
import json, sys, os
d, n, jl = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(jl, "w") as out:
    for i in range(n):
        ev = {"id": f"ord-{i}", "customer": f"c{i % 977}", "total": i * 1.25, "currency": ["EUR", "USD", "GBP"][i % 3],
              "status": ["NEW", "PAID", "SHIPPED"][i % 3], "note": None if i % 2 else "x",
              "lines": [{"sku": f"s{i % 13}", "qty": 1 + i % 4}]}
        s = json.dumps(ev)
        with open(os.path.join(d, f"e{i:06d}.json"), "w") as f:
            f.write(s)
        out.write(s + "\n")
PY
git -C "$repo" init -q && git -C "$repo" add -A && git -C "$repo" -c user.email=b@b -c user.name=b commit -qm base

# Wall and CPU (user + sys, children included) of each whole run: schemaguard validates files in parallel, so
# its per-core figure is events per CPU-second; check-jsonschema runs one Python process at a time.
(cd "$repo" && /usr/bin/time -f "%e %U %S" -o "$work/sg-time" "$bin" test --against HEAD --format json > "$work/json-out.json") || true
python3 -c "import json; d=json.load(open('$work/json-out.json')); print('schemaguard findings:', len(d['findings']))"

venv="$target/bench-venv-check-jsonschema"
[ -x "$venv/bin/check-jsonschema" ] || { python3 -m venv "$venv" && "$venv/bin/pip" -q install check-jsonschema; }
# check-jsonschema takes the instance files as arguments: batches of 5,000 (command-line length).
(cd "$repo/examples/order" && /usr/bin/time -f "%e %U %S" -o "$work/cj-time" sh -c "ls | xargs -n 5000 '$venv/bin/check-jsonschema' --schemafile '$repo/schemas/order.schema.json' > /dev/null")
python3 - "$events" "$(cat "$work/sg-time")" "$(cat "$work/cj-time")" <<'PY'
import sys
n = int(sys.argv[1])
sw, su, ss = map(float, sys.argv[2].split()); cw, cu, cs = map(float, sys.argv[3].split())
sc, cc = su + ss, cu + cs
print(f"{n} JSON files: schemaguard test {sw:.2f} s wall, {sc:.2f} s CPU = {n/sw:,.0f} events/s wall, {n/sc:,.0f} events/s per core")
print(f"  check-jsonschema {cw:.2f} s wall, {cc:.2f} s CPU = {n/cw:,.0f} events/s wall, {n/cc:,.0f} events/s per core")
print(f"  ratio: {cc/sc:.1f}x per core, {cw/sw:.1f}x wall")
PY

# ---- 2. one JSONL file --------------------------------------------------------------------------------------
jrepo="$work/jsonl"
mkdir -p "$jrepo/schemas" "$jrepo/examples/order"
cp "$repo/schemas/order.schema.json" "$jrepo/schemas/"
mv "$work/events.jsonl" "$jrepo/examples/order/events.jsonl"
git -C "$jrepo" init -q && git -C "$jrepo" add -A && git -C "$jrepo" -c user.email=b@b -c user.name=b commit -qm base
t0=$(now); (cd "$jrepo" && /usr/bin/time -f "%M" -o "$work/jsonl-rss" "$bin" test --against HEAD --format json > /dev/null) || true; t1=$(now)
python3 - "$events" "$(elapsed "$t0" "$t1")" "$(cat "$work/jsonl-rss")" <<'PY'
import sys
n, t, rss = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"{n} events in one JSONL file: {t:.2f} s = {n/t:,.0f} events/s, peak RSS {rss/1024:.1f} MiB")
PY

# ---- 3. 50 subjects × 20 examples, replayed -------------------------------------------------------------------
arepo="$work/avro"
mkdir -p "$arepo/schemas"
python3 - "$arepo" <<'PY'
import json, os, sys
r = sys.argv[1]
for s in range(50):
    name = f"Event{s}"
    schema = {"type": "record", "name": name, "namespace": "bench", "fields": [
        {"name": "id", "type": "long"}, {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "amount", "type": {"type": "fixed", "name": f"Amount{s}", "size": 8, "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "kind", "type": {"type": "enum", "name": f"Kind{s}", "symbols": ["A", "B", "C"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}]}
    open(f"{r}/schemas/event{s}.avsc", "w").write(json.dumps(schema, indent=2))
    d = f"{r}/examples/bench.{name}"
    os.makedirs(d)
    for e in range(20):
        ev = {"id": e, "at": 1700000000000 + e, "amount": f"{e}.25", "kind": "ABC"[e % 3],
              "note": None if e % 2 else {"string": "n"}, "tags": ["t"]}
        open(f"{d}/e{e:02d}.json", "w").write(json.dumps(ev))
PY
git -C "$arepo" init -q && git -C "$arepo" add -A && git -C "$arepo" -c user.email=b@b -c user.name=b commit -qm base
# The change: every schema gains a field with a default (compatible), so each example is replayed.
python3 - "$arepo" <<'PY'
import json, glob, sys
for p in glob.glob(f"{sys.argv[1]}/schemas/*.avsc"):
    s = json.load(open(p)); s["fields"].append({"name": "source", "type": "string", "default": "bench"})
    open(p, "w").write(json.dumps(s, indent=2))
PY
best=999
for i in 1 2 3 4 5; do
  t0=$(now); (cd "$arepo" && "$bin" test --against HEAD > "$work/avro-out.txt") || true; t1=$(now)
  t=$(elapsed "$t0" "$t1"); best=$(python3 -c "print(min($best, $t))")
done
echo "50 subjects x 20 examples (1,000 events, validated + replayed BACKWARD): best of 5 $(python3 -c "print(f'{$best*1000:.0f}')") ms; $(tail -1 "$work/avro-out.txt")"
