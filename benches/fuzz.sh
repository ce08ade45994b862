#!/usr/bin/env bash
# Runs one cargo-fuzz target for SECONDS, seeded from the repository's fixtures (copied at run time into a corpus
# outside the repository, so seeds are never committed), and prints libFuzzer's closing statistics.
# Usage: benches/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
# Targets: parse_avro parse_avdl parse_jsonschema parse_proto compat_avro compat_jsonschema compat_proto render decode.
# Needs: rustup toolchain nightly, `cargo install cargo-fuzz`. A crash is saved under fuzz/artifacts/TARGET/.
# FUZZ_SANITIZER (default `none`): the fuzzed code is safe Rust (no C in these paths), where AddressSanitizer finds
# nothing a panic would not, and makes every execution 2-3x slower and the build far slower; set it to `address`
# to fuzz with ASan anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: benches/fuzz.sh TARGET SECONDS}"
secs="${2:?usage: benches/fuzz.sh TARGET SECONDS}"
shift 2
corpus="${FUZZ_CORPUS:-${TMPDIR:-/tmp}/schemaguard-fuzz-corpus}/$target"
mkdir -p "$corpus"
case "$target" in
  parse_avro|compat_avro) exts="avsc" ;;
  parse_avdl) exts="avdl" ;;
  parse_jsonschema|compat_jsonschema) exts="json yaml yml" ;;
  parse_proto|compat_proto) exts="proto" ;;
  render) exts="avsc json proto" ;;
  decode) exts="" ; printf '\000' > "$corpus/avro-empty"; printf '\001' > "$corpus/proto-empty" ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
# Seeds: every fixture file of the target's formats. The compat and render targets read 4 control bytes first.
for ext in $exts; do
  find fixtures -name "*.$ext" -size -64k | while read -r f; do
    h="$(sha1sum "$f" | cut -c1-16)"
    case "$target" in
      compat_*|render) { printf '\001\002\003\004'; cat "$f"; } > "$corpus/$h" ;;
      parse_jsonschema) { if [ "$ext" = json ]; then printf '\000'; else printf '\001'; fi; cat "$f"; } > "$corpus/$h" ;;
      *) cp "$f" "$corpus/$h" ;;
    esac
  done
done
echo "== $target: $(ls "$corpus" | wc -l) inputs in $corpus, $secs s"
cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer "${FUZZ_SANITIZER:-none}" "$target" "$corpus" -- \
  -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$@"
