#!/usr/bin/env bash
# Catalog benchmark (issue 13): `schemaguard catalog` of a git repository holding googleapis old, prev and new as
# three commits (one subject per .proto file), from ../shared/corpus. Trees are extracted under the target dir,
# never committed. Goal: ≤ 10 s on the 2-core machine.
#
#   benches/catalog-googleapis.sh          # builds --release, builds the repo once, times the catalog
#   CORPUS=/path/to/corpus SG=/path/to/schemaguard benches/catalog-googleapis.sh   # another corpus or binary
#
# Prints wall seconds, CPU seconds (user+sys), peak RSS, subjects and pages written.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
WORK="$TARGET/bench-catalog"
REPO="$WORK/repo"

[ -n "${SG:-}" ] || (cd "$ROOT" && cargo build --release >&2)
SG="${SG:-$TARGET/release/schemaguard}"

if [ ! -d "$REPO/.git" ]; then
  # Built aside and moved into place, so an interrupted build is never taken for a finished one.
  FINAL="$REPO"; REPO="$WORK/repo.partial"
  rm -rf "$REPO" && mkdir -p "$REPO"
  git -C "$REPO" init -q -b main
  for rev in old prev new; do
    find "$REPO" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    tar -xzf "$CORPUS/googleapis-$rev.tar.gz" -C "$REPO"
    git -C "$REPO" add -A
    GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com \
      git -C "$REPO" commit -q -m "googleapis $rev"
  done
  rm -rf "$FINAL" && mv "$REPO" "$FINAL" && REPO="$FINAL"
fi

# Into a directory never used before, as in CI (a fresh checkout), and with no deletion just before the timed run:
# re-creating thousands of files right after `rm -rf` of as many costs ext4 seconds of inode allocation (recently
# deleted inodes are skipped): 0.9 s vs 5.5 s for 7,235 small files on the bench machine, with no schemaguard
# involved. The site is deleted after the measurement instead; leave a few minutes between two runs.
SITE="$WORK/site.$(date +%s%N)"
(cd "$REPO" && /usr/bin/time -v "$SG" catalog --out "$SITE") 2> "$WORK/time.txt" > "$WORK/out.txt" || { cat "$WORK/time.txt"; exit 1; }
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")
user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")
sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time.txt")
echo "catalog googleapis (3 commits): wall $wall, cpu $(echo "$user + $sys" | bc) s (user $user, sys $sys), peak RSS $((rss / 1024)) MB"
cat "$WORK/out.txt"
breaking=$(grep -l 'badge verdict bad">breaking' "$SITE"/subjects/*.html | wc -l)
echo "subjects whose latest change is breaking: $breaking"
echo "site size: $(du -sh "$SITE" | cut -f1)"
rm -rf "$SITE"
