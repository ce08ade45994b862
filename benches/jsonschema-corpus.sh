#!/usr/bin/env bash
# Runs `schemaguard compat` (release build) on every JSON Schema file
# present at both revisions of the SchemaStore and Wikimedia corpora, one process per pair, on one core.
# Prints the total time, the five slowest pairs and every pair that exited 2 (with its first input finding).
# Usage: benches/jsonschema-corpus.sh [CORPUS_DIR]   (default: $CARGO_TARGET_DIR/corpus, archives extracted there)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
CORPUS=${1:-$TARGET/corpus}
ARCHIVES=${CORPUS_ARCHIVES:-$(pwd)/../shared/corpus}
for set in schemastore wikimedia-event-primary wikimedia-event-secondary; do
  for rev in old new; do
    if [ ! -d "$CORPUS/$set-$rev" ] && [ -f "$ARCHIVES/$set-$rev.tar.gz" ]; then
      mkdir -p "$CORPUS/$set-$rev" && tar -xzf "$ARCHIVES/$set-$rev.tar.gz" -C "$CORPUS/$set-$rev"
    fi
  done
done
cargo build --release >/dev/null 2>&1
BIN=$TARGET/release/schemaguard
TIMES=$(mktemp); EXIT2=$(mktemp); COUNTS=$(mktemp)
trap 'rm -f "$TIMES" "$EXIT2" "$COUNTS"' EXIT
start=$(date +%s.%N)
for set in schemastore wikimedia-event-primary wikimedia-event-secondary; do
  old="$CORPUS/$set-old"; new="$CORPUS/$set-new"
  [ -d "$old" ] || continue
  set_start=$(date +%s.%N)
  (cd "$old" && find . -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) | sort) | while read -r rel; do
    rel=${rel#./}
    [ -f "$new/$rel" ] || continue
    t0=$(date +%s%N)
    set +e
    taskset -c 0 "$BIN" compat --format json "$old/$rel" "$new/$rel" >/dev/null 2>&1; code=$?
    set -e
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) $set/$rel" >> "$TIMES"
    echo "$set $code" >> "$COUNTS"
    if [ "$code" -eq 2 ]; then
      first=$("$BIN" compat --format json "$old/$rel" "$new/$rel" 2>&1 | python3 -c 'import json,sys
d=json.load(sys.stdin)
f=[x for x in d["findings"] if x["category"]=="input" and x["severity"]=="error"][:1]
print("%s %s:%s: %s" % (f[0]["rule"], f[0]["location"]["file"], f[0]["location"]["line"], f[0]["message"]) if f else "")' || true)
      echo "$set/$rel: $first" >> "$EXIT2"
    fi
    if [ "$code" -gt 2 ]; then echo "CRASH ($code) $set/$rel" >> "$EXIT2"; fi
  done
  printf '%s: %.2f s (one process per pair)\n' "$set" "$(echo "$(date +%s.%N) - $set_start" | bc)"
  # The same set as two folders in one process (cross-file $refs resolve, files load once).
  # CPU time too: the machine may be shared, wall time then overstates the cost.
  TIMEFORMAT="$set as one folder pair: %R s wall, %U s user, %S s sys"
  set +e; time taskset -c 0 "$BIN" compat --format json "$old" "$new" >/dev/null; set -e
done
end=$(date +%s.%N)
echo "pairs per set and exit code:"; sort "$COUNTS" | uniq -c
printf 'total wall time: %.2f s\n' "$(echo "$end - $start" | bc)"
echo "slowest five (ms):"; sort -rn "$TIMES" | head -5 || true
echo "exit-2 pairs ($(wc -l < "$EXIT2")):"; cat "$EXIT2"
