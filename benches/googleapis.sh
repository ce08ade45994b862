#!/usr/bin/env bash
# Protobuf breaking-change benchmark on googleapis (buf.md §13): schemaguard vs buf 1.75 on the same trees.
#
#   benches/googleapis.sh                 # FILE and WIRE_JSON, old→new and prev→new, both tools
#   CATEGORIES="FILE" PAIRS="old" benches/googleapis.sh
#   BUF=0 benches/googleapis.sh           # schemaguard only (buf needs ~90 CPU-s and ~7.5 GB per run)
#
# Prints CPU seconds (user+sys), wall seconds, peak RSS and the number of findings of each run.
# schemaguard runs as `schemaguard compat --breaking CAT --format github OLD NEW` (one line per finding).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
WORK="$TARGET/bench-googleapis"
CATEGORIES="${CATEGORIES:-FILE WIRE_JSON}"
PAIRS="${PAIRS:-old prev}"
BUF="${BUF:-1}"
BUF_VERSION="${BUF_VERSION:-1.75.0}"

mkdir -p "$WORK"
for rev in old new prev; do
  if [ ! -d "$WORK/$rev" ]; then
    mkdir -p "$WORK/$rev"
    tar -xzf "$CORPUS/googleapis-$rev.tar.gz" -C "$WORK/$rev"
  fi
done

(cd "$ROOT" && cargo build --release >&2)
SG="$TARGET/release/schemaguard"

BUFBIN=""
if [ "$BUF" = "1" ]; then
  BUFDIR="$(mktemp -d "$WORK/buf-npm.XXXXXX")"
  (cd "$BUFDIR" && npm install --silent --no-audit --no-fund "@bufbuild/buf@$BUF_VERSION" >&2)
  BUFBIN="$BUFDIR/node_modules/.bin/buf"
fi

# measure LABEL OUTFILE CMD...: runs CMD under /usr/bin/time -v, prints one result line.
measure() {
  local label="$1" out="$2"
  shift 2
  local tv="$WORK/time.txt"
  /usr/bin/time -v "$@" >"$out" 2>"$tv" || true
  local user sys wall rss
  user=$(awk -F': ' '/User time/ {print $2}' "$tv")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tv")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
  local count
  count=$(grep -c . "$out" || true)
  printf '%-36s cpu %6.2f s  wall %8s  peak %7.1f MB  findings %s\n' \
    "$label" "$(echo "$user + $sys" | bc)" "$wall" "$(echo "$rss / 1024" | bc -l)" "$count"
}

for pair in $PAIRS; do
  for cat in $CATEGORIES; do
    measure "schemaguard $pair→new $cat" "$WORK/sg-$pair-$cat.txt" "$SG" compat --breaking "$cat" --format github "$WORK/$pair" "$WORK/new"
    if [ -n "$BUFBIN" ]; then
      cfg="{\"version\":\"v2\",\"breaking\":{\"use\":[\"$cat\"]}}"
      measure "buf $BUF_VERSION $pair→new $cat" "$WORK/buf-$pair-$cat.txt" \
        sh -c "cd '$WORK/new' && '$BUFBIN' breaking . --against '../$pair' --config '$cfg' --error-format json"
    fi
  done
done
