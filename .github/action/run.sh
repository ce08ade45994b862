#!/usr/bin/env bash
# The logic of the schemaguard GitHub Action (action.yml calls this). Kept here so tests can run it with a fake
# GITHUB_* environment against a temporary repository.
#
# Inputs (environment): INPUT_ARGS, INPUT_AGAINST, INPUT_FETCH_HISTORY (true|false), INPUT_SARIF (path or empty),
# INPUT_SUMMARY (true|false), INPUT_FAIL_ON (error|warning|never), SCHEMAGUARD (binary, default `schemaguard`).
# GitHub's own: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_OUTPUT.
set -uo pipefail

bin="${SCHEMAGUARD:-schemaguard}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
zero="0000000000000000000000000000000000000000"

# Reads a string at a dotted path from the event JSON, with whichever JSON tool the runner has.
event_field() {
  local path="$1"
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] || return 0
  if command -v jq >/dev/null 2>&1; then
    jq -r ".${path} // empty" "$GITHUB_EVENT_PATH"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$GITHUB_EVENT_PATH" "$path" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else "")
PY
  fi
}

# The baseline: the input, else the PR's base commit, else the push's `before` commit; a new branch (before is
# all zeros) or anything else falls back to schemaguard's default, the merge-base with the default branch.
against="${INPUT_AGAINST:-}"
if [ -z "$against" ]; then
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request|pull_request_target) against="$(event_field pull_request.base.sha)" ;;
    push)
      before="$(event_field before)"
      if [ -n "$before" ] && [ "$before" != "$zero" ]; then against="$before"; fi
      ;;
  esac
fi

args=(check)
[ -n "$against" ] && args+=(--against "$against")
[ "${INPUT_FETCH_HISTORY:-true}" = "false" ] && args+=(--no-fetch)
case "${INPUT_FAIL_ON:-error}" in
  error|warning|info|never) args+=(--fail-on "${INPUT_FAIL_ON:-error}") ;;
  *) echo "::error title=schemaguard::fail-on must be error, warning, info or never (got '${INPUT_FAIL_ON}')"; exit 2 ;;
esac
annotations="$tmp/schemaguard-annotations.txt"
summary_md="$tmp/schemaguard-summary.md"
args+=(--format text --format "github=$annotations")
[ "${INPUT_SUMMARY:-true}" = "true" ] && args+=(--format "markdown=$summary_md")
[ -n "${INPUT_SARIF:-}" ] && args+=(--format "sarif=${INPUT_SARIF}")

# User arguments last (a flag given again overrides the defaults above), split on whitespace: quotes are not
# interpreted and nothing is globbed or expanded, so a workflow input cannot run commands.
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
  set -f
  read -r -a extra <<<"${INPUT_ARGS}"
  set +f
fi

echo "schemaguard ${args[*]} ${extra[*]:-}"
"$bin" "${args[@]}" "${extra[@]}"
code=$?

# Annotations are workflow commands: print them so the runner turns them into PR annotations.
[ -f "$annotations" ] && cat "$annotations"
if [ "${INPUT_SUMMARY:-true}" = "true" ] && [ -f "$summary_md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary_md" >>"$GITHUB_STEP_SUMMARY"
fi
[ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$code" >>"$GITHUB_OUTPUT"
exit "$code"
