#!/usr/bin/env bash
# Builds the Python wheel (pyproject.toml: maturin, `bindings = "bin"`), installs it in a fresh venv and runs the
# `schemaguard-system` hook of this repository's .pre-commit-hooks.yaml through pre-commit in a temporary git
# repository: a staged breaking Avro change must be blocked (exit 1), a compatible one let through (exit 0).
# Not part of `cargo test`: the wheel is a second release build (minutes on 2 cores).
# Usage: benches/wheel-precommit.sh     (needs python3 with venv and network access to PyPI for maturin, pre-commit)
# Uses the hooks file at this repository's HEAD (pre-commit clones the repository at a rev): commit first.
# Prints the wheel build time, the wheel size, and the time of each `pre-commit run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
work="$CARGO_TARGET_DIR/bench-wheel-precommit"
rm -rf "$work" && mkdir -p "$work"
now_ms() { date +%s%3N; }

python3 -m venv "$work/build-venv"
"$work/build-venv/bin/pip" install --quiet maturin
t0=$(now_ms)
(cd "$root" && "$work/build-venv/bin/maturin" build --release --locked --quiet -o "$work/wheels")
t1=$(now_ms)
wheel="$(ls "$work"/wheels/schemaguard-*.whl)"
echo "wheel: $(basename "$wheel"), $(du -h "$wheel" | cut -f1), built in $(((t1 - t0) / 1000)) s"

# The user's side: a venv with the wheel and pre-commit, nothing else (no cargo on PATH for the hook).
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit "$wheel"
"$work/venv/bin/schemaguard" --version
export PRE_COMMIT_HOME="$work/pre-commit-home"
export PATH="$work/venv/bin:/usr/bin:/bin"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
rev="$(git -C "$root" rev-parse HEAD)"

repo="$work/repo"
mkdir -p "$repo/schemas" && cd "$repo"
git init -q -b main
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $root
    rev: $rev
    hooks:
      - id: schemaguard-system
YAML
printf '{"type": "record", "name": "E", "fields": [{"name": "a", "type": "int"}]}\n' >schemas/e.avsc
git add -A && git commit -qm v1

run_hook() { # run_hook EXPECTED_EXIT LABEL
  local t0 t1 code=0
  t0=$(now_ms)
  pre-commit run >"$work/out.txt" 2>&1 || code=$?
  t1=$(now_ms)
  echo "pre-commit run ($2): exit $code in $((t1 - t0)) ms"
  if [ "$code" != "$1" ]; then cat "$work/out.txt"; echo "expected exit $1"; exit 1; fi
}
printf '{"type": "record", "name": "E", "fields": [{"name": "a", "type": "string"}]}\n' >schemas/e.avsc
git add schemas/e.avsc
run_hook 1 "first run, breaking change staged"
grep -q TYPE_MISMATCH "$work/out.txt" || { cat "$work/out.txt"; echo "no TYPE_MISMATCH in the hook output"; exit 1; }
run_hook 1 "second run, breaking change staged"
printf '{"type": "record", "name": "E", "fields": [{"name": "a", "type": "long"}]}\n' >schemas/e.avsc
git add schemas/e.avsc
run_hook 0 "compatible change staged"
echo "ok: the hook from the wheel blocks the breaking change and passes the compatible one"
