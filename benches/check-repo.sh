#!/usr/bin/env bash
# Whole-process time of `schemaguard check` (git baseline included) on a generated repository with N Avro schemas
# (default 50), a feature branch that changes a few of them, and of `check --staged` (the pre-commit path).
# Usage: benches/check-repo.sh [N] [RUNS]
# Prints the median and the best of RUNS wall-clock times in milliseconds for each command.
set -euo pipefail
n="${1:-50}"
runs="${2:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$target/release/schemaguard"
work="$target/bench-check-repo"
rm -rf "$work" && mkdir -p "$work/schemas"
cd "$work"
git init -q -b main
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
gen() { # gen I EXTRA
  local i="$1" extra="$2" fields=""
  for f in $(seq 1 20); do fields="$fields{\"name\": \"f$f\", \"type\": [\"null\", \"string\"], \"default\": null},"; done
  printf '{"type": "record", "name": "Event%s", "namespace": "com.bench",\n "fields": [%s\n  {"name": "nested", "type": {"type": "record", "name": "Nested%s", "fields": [{"name": "a", "type": "long"}, {"name": "kind", "type": {"type": "enum", "name": "Kind%s", "symbols": ["A", "B", "C"]}}]}}%s]}\n' \
    "$i" "$fields" "$i" "$i" "$extra" > "schemas/event$i.avsc"
}
for i in $(seq 1 "$n"); do gen "$i" ""; done
git add -A && git commit -qm base
git checkout -qb feature
for i in 1 2 3; do gen "$i" ', {"name": "added", "type": "string"}'; done
git commit -qam change
time_ms() { # median and best of $runs runs of "$@"
  local t=()
  for _ in $(seq 1 "$runs"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v label="$*" '{a[NR]=$1} END {printf "%-60s median %.1f ms  best %.1f ms  (%d runs)\n", label, a[int((NR+1)/2)]/1000, a[1]/1000, NR}'
}
echo "repository: $n Avro schemas, 3 changed on the feature branch"
{ "$bin" check --format json || true; } | python3 -c 'import json,sys; d=json.load(sys.stdin); print("findings:", len(d["findings"]), "subjects checked:", d["summary"]["subjects_checked"])'
time_ms "$bin" check
git reset -q --soft HEAD~1
time_ms "$bin" check --staged
