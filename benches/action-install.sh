#!/usr/bin/env bash
# The GitHub Action from start to first annotation, with the release archive served locally: install.sh downloads
# `schemaguard-<target>.tar.gz` and its `.sha256` from a server on 127.0.0.1 (python3's http.server), verifies,
# unpacks and caches it, then run.sh checks a pull request with one breaking Avro change.
# Goal (issue 12): at most 10 s from the start of the install step to the first `::error` annotation.
# Usage: benches/action-install.sh [RUNS]   (default 5; each run starts with an empty tool cache)
# Binary: $SCHEMAGUARD_BIN, else target/release/schemaguard (built with `cargo build --release` if missing).
set -euo pipefail
runs="${1:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${SCHEMAGUARD_BIN:-$target/release/schemaguard}"
[ -x "$bin" ] || cargo build --release --quiet --manifest-path "$root/Cargo.toml"
work="$target/bench-action-install"
rm -rf "$work" && mkdir -p "$work/www/v9.9.9" "$work/pack/schemaguard-x86_64-unknown-linux-musl" "$work/repo/schemas"

# The release, packed as cargo-dist packs it.
cp "$bin" "$work/pack/schemaguard-x86_64-unknown-linux-musl/schemaguard"
asset=schemaguard-x86_64-unknown-linux-musl.tar.gz
tar -C "$work/pack" -czf "$work/www/v9.9.9/$asset" schemaguard-x86_64-unknown-linux-musl
(cd "$work/www/v9.9.9" && sha256sum "$asset" >"$asset.sha256")
echo "archive: $(du -h "$work/www/v9.9.9/$asset" | cut -f1)"

# A loopback server on a free port.
python3 - "$work/www" "$work/port" <<'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
server=$!
trap 'kill "$server" 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")"

# A pull request with a breaking change.
cd "$work/repo"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
git init -q -b main
printf '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}\n' >schemas/order.avsc
git add -A && git commit -qm v1
base="$(git rev-parse HEAD)"
git checkout -qb feature
printf '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "long"}]}\n' >schemas/order.avsc
git commit -qam breaking
printf '{"pull_request": {"base": {"sha": "%s"}}}' "$base" >"$work/event.json"

now_ms() { date +%s%3N; }
times=()
for r in $(seq 1 "$runs"); do
  rm -rf "$work/runner" && mkdir -p "$work/runner"
  : >"$work/runner/output"
  start=$(now_ms)
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$work/runner" RUNNER_TOOL_CACHE="$work/runner/cache" \
    GITHUB_OUTPUT="$work/runner/output" ACTION_REF=v9.9.9 SCHEMAGUARD_RELEASE_URL="$url" \
    bash "$root/.github/action/install.sh" >"$work/runner/install.log"
  installed=$(now_ms)
  exe="$(sed -n 's/^path=//p' "$work/runner/output")"
  first=""
  while IFS= read -r line; do
    if [ -z "$first" ] && [[ "$line" == ::error* ]]; then first=$(now_ms); fi
  done < <(SCHEMAGUARD="$exe" GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$work/event.json" \
    RUNNER_TEMP="$work/runner" bash "$root/.github/action/run.sh" || true)
  [ -n "$first" ] || { echo "run $r: no annotation"; exit 1; }
  echo "run $r: install $((installed - start)) ms, first annotation after $((first - start)) ms"
  times+=($((first - start)))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
median=${sorted[$(((${#sorted[@]} - 1) / 2))]}
echo "start → first annotation: median ${median} ms, best ${sorted[0]} ms, worst ${sorted[-1]} ms over $runs runs (goal ≤ 10000 ms)"
[ "${sorted[-1]}" -le 10000 ] || { echo "over the 10 s goal"; exit 1; }
