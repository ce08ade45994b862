#!/usr/bin/env bash
# Installs schemaguard for the GitHub Action (action.yml calls this before run.sh). Kept here so tests can run it
# against a fake release server on 127.0.0.1.
#
# Which binary:
#   1. `version` input (INPUT_VERSION, e.g. 0.3.0 or v0.3.0), else the action's ref when it is a version tag
#      (`uses: schemaguard/schemaguard@v0.3.0`);
#   2. that release's archive for this runner (`schemaguard-<target>.tar.gz`, `.zip` on Windows, as the release
#      workflow built by cargo-dist names them) and its `.sha256`, downloaded with curl; the archive is used only
#      when its SHA-256 matches (a mismatch fails the step: it is never silently replaced by a build);
#   3. cached in the runner's tool cache ($RUNNER_TOOL_CACHE/schemaguard/<version>/<arch>), so a second job on the
#      same runner (self-hosted) skips the download;
#   4. when no release matches (a branch or commit ref, or the release has no such archive: HTTP 404), it is
#      built: `cargo install --locked --path <action>` for the action's own source, or
#      `cargo install --locked schemaguard --version <version>` for a `version` input.
#
# Environment: INPUT_VERSION, ACTION_REF (github.action_ref), ACTION_PATH (github.action_path), ACTION_REPOSITORY
# (github.action_repository), RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH,
# GITHUB_SERVER_URL. For tests and mirrors: SCHEMAGUARD_RELEASE_URL (base URL; the archive is fetched from
# <base>/v<version>/<asset>), CARGO (the cargo to build with).
# Writes `path=<binary>` and `source=release|cache|build` to $GITHUB_OUTPUT and the binary's folder to $GITHUB_PATH.
set -euo pipefail

log() { echo "schemaguard install: $*"; }
fail() {
  echo "::error title=schemaguard install::$*"
  exit 2
}

action_path="${ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
cargo="${CARGO:-cargo}"

# github.action_ref and github.action_repository are empty inside composite actions on some runner versions; the
# action's checkout path (…/_actions/<owner>/<repo>/<ref>) carries both.
ref="${ACTION_REF:-}"
repository="${ACTION_REPOSITORY:-}"
case "$action_path" in
  */_actions/*/*/*)
    rest="${action_path#*/_actions/}"
    [ -n "$ref" ] || ref="${rest#*/*/}"
    [ -n "$repository" ] || repository="${rest%/"${rest#*/*/}"}"
    ;;
esac
repository="${repository:-schemaguard/schemaguard}"

semver='^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$'
version="${INPUT_VERSION:-}"
from_input=false
if [ -n "$version" ]; then
  [[ "$version" =~ $semver ]] || fail "version must be a release version such as 0.3.0 (got '$version')"
  from_input=true
elif [[ "$ref" =~ $semver ]]; then
  version="$ref"
fi
version="${version#v}"

set_outputs() {
  local bin="$1" source="$2"
  "$bin" --version >/dev/null 2>&1 || fail "the installed binary does not run: $bin"
  log "$("$bin" --version) ($source) at $bin"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "path=$bin" >>"$GITHUB_OUTPUT"
    echo "source=$source" >>"$GITHUB_OUTPUT"
  fi
  [ -z "${GITHUB_PATH:-}" ] || dirname "$bin" >>"$GITHUB_PATH"
}

build() {
  local why="$1" root="$tmp/schemaguard-build"
  command -v "$cargo" >/dev/null 2>&1 ||
    fail "$why, and there is no cargo to build from source: pin the action to a release tag or set \`version\`"
  log "$why: building from source with cargo"
  if $from_input; then
    "$cargo" install --locked --root "$root" schemaguard --version "$version"
  else
    "$cargo" install --locked --root "$root" --path "$action_path"
  fi
  local exe="$root/bin/schemaguard"
  [ -f "$exe" ] || exe="$exe.exe"
  set_outputs "$exe" build
  exit 0
}

[ -n "$version" ] || build "the action's ref '${ref:-(none)}' is not a release tag and no \`version\` is set"

# The runner's target: the release workflow (dist-workspace.toml) builds exactly these.
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$arch" in
  X64 | x86_64 | amd64) cpu=x86_64 ;;
  ARM64 | aarch64 | arm64) cpu=aarch64 ;;
  *) build "no release binary for the $arch architecture" ;;
esac
ext=tar.gz
exe=schemaguard
case "$os" in
  Linux) target="$cpu-unknown-linux-musl" ;;
  macOS | Darwin) target="$cpu-apple-darwin" ;;
  Windows | MINGW* | MSYS* | CYGWIN*)
    [ "$cpu" = x86_64 ] || build "no release binary for Windows on $arch"
    target="x86_64-pc-windows-msvc" ext=zip exe=schemaguard.exe
    ;;
  *) build "no release binary for $os" ;;
esac

cache_root="${RUNNER_TOOL_CACHE:-$tmp/tool-cache}"
cache="$cache_root/schemaguard/$version/$cpu"
if [ -f "$cache.complete" ] && [ -x "$cache/$exe" ]; then
  set_outputs "$cache/$exe" cache
  exit 0
fi

asset="schemaguard-$target.$ext"
base="${SCHEMAGUARD_RELEASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download}"
url="$base/v$version/$asset"
work="$(mktemp -d "$tmp/schemaguard-download.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Fetches $1 into $2; prints the HTTP status (000 when the server could not be reached).
fetch() {
  curl --silent --show-error --location --retry 3 --retry-delay 1 --connect-timeout 10 \
    --output "$2" --write-out '%{http_code}' "$1" || true
}
log "downloading $url"
status="$(fetch "$url" "$work/$asset")"
case "$status" in
  200) ;;
  404) build "release v$version has no $asset ($url: 404)" ;;
  *) fail "downloading $url failed (HTTP $status)" ;;
esac
status="$(fetch "$url.sha256" "$work/$asset.sha256")"
[ "$status" = 200 ] || fail "downloading $url.sha256 failed (HTTP $status): refusing an unverified binary"

# `<hex>  <name>` (sha256sum) or `<hex> *<name>` or a bare hex digest.
expected="$(tr -d '\r' <"$work/$asset.sha256" | awk 'NR == 1 { print tolower($1) }')"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$work/$asset" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "$work/$asset" | awk '{ print $1 }')"
fi
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "$url.sha256 does not hold a SHA-256 digest"
[ "$actual" = "$expected" ] ||
  fail "checksum mismatch for $asset: expected $expected, got $actual; the download is not used"
log "sha256 $actual verified"

mkdir -p "$work/x"
if [ "$ext" = zip ]; then
  if command -v unzip >/dev/null 2>&1; then unzip -q "$work/$asset" -d "$work/x"; else tar -xf "$work/$asset" -C "$work/x"; fi
else
  tar -xzf "$work/$asset" -C "$work/x"
fi
# dist puts the binary in a `schemaguard-<target>/` folder (tar) or at the top (zip): take it wherever it is.
found="$(find "$work/x" -type f -name "$exe" | head -n 1)"
[ -n "$found" ] || fail "$asset holds no $exe"
rm -rf "$cache"
mkdir -p "$cache"
cp "$found" "$cache/$exe"
chmod +x "$cache/$exe"
touch "$cache.complete"
set_outputs "$cache/$exe" release
