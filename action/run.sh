#!/usr/bin/env bash
# The drlint GitHub Action's check: one drlint run writes the annotations (stdout), the SARIF
# file, the step summary and a JSON report, from which the outputs are counted with jq.
#
# Every input arrives in the environment (never in the script's text): INPUT_PATH,
# INPUT_CONFIG, INPUT_PLAN, INPUT_BASE_REF, INPUT_ONLY_NEW, INPUT_FAIL_ON, INPUT_SARIF_FILE,
# INPUT_SUMMARY, INPUT_ARGS; DRLINT_BIN is the installed binary. Exit status: 0 passed,
# 1 findings at or above fail-on, 2 drlint or the Action could not run.
set -euo pipefail

# A workflow command's message: GitHub's escapes, so that input cannot start a new command.
escape() {
  local s="$1"
  s="${s//'%'/%25}"
  s="${s//$'\r'/%0D}"
  s="${s//$'\n'/%0A}"
  printf '%s' "$s"
}

die() {
  echo "::error title=drlint::$(escape "$*")"
  exit 2
}

warn() {
  echo "::warning title=drlint::$(escape "$*")"
}

command -v jq >/dev/null 2>&1 ||
  die "jq is required to count the findings and is not on PATH (GitHub-hosted runners have it; on a self-hosted runner, install jq)"
bin="${DRLINT_BIN:-}"
[ -n "$bin" ] && [ -x "$bin" ] || die "no drlint binary (DRLINT_BIN=\`$bin\`): the install step did not run"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"

path="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-warning}"
case "$fail_on" in
  note | warning | error) threshold="$fail_on" ;;
  never) threshold=error ;;
  *) die "fail-on must be note, warning, error or never, not \`$fail_on\`" ;;
esac
summary="${INPUT_SUMMARY:-true}"
case "$summary" in
  true | false) ;;
  *) die "summary must be true or false, not \`$summary\`" ;;
esac

# PR mode: the input, else the base commit of the pull request that triggered the run
base="${INPUT_BASE_REF:-}"
event="${GITHUB_EVENT_NAME:-}"
if [ -z "$base" ] && { [ "$event" = pull_request ] || [ "$event" = pull_request_target ]; }; then
  if [ -f "${GITHUB_EVENT_PATH:-}" ]; then
    base="$(jq -r '.pull_request.base.sha // empty' "$GITHUB_EVENT_PATH")"
  fi
  [ -n "$base" ] || warn "no pull_request.base.sha in the $event event: checking the whole tree"
fi

only_new="${INPUT_ONLY_NEW:-auto}"
case "$only_new" in
  auto) if [ -n "$base" ]; then only_new=true; else only_new=false; fi ;;
  true)
    if [ -z "$base" ]; then
      warn "only-new needs a base (a pull request, or base-ref): checking the whole tree"
      only_new=false
    fi
    ;;
  false) ;;
  *) die "only-new must be auto, true or false, not \`$only_new\`" ;;
esac

sarif="${INPUT_SARIF_FILE:-$RUNNER_TEMP/drlint.sarif}"
json="$RUNNER_TEMP/drlint.json"
mkdir -p "$(dirname "$sarif")"
rm -f "$sarif" "$json"

cmd=("$bin" check --severity-threshold "$threshold"
  --format github --format "sarif=$sarif" --format "json=$json")
if [ "$summary" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cmd+=(--format "markdown=$GITHUB_STEP_SUMMARY")
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
  cmd+=(--config "$INPUT_CONFIG")
fi
if [ -n "${INPUT_PLAN:-}" ]; then
  cmd+=(--plan "$INPUT_PLAN")
fi
if [ -n "$base" ]; then
  cmd+=(--base "$base")
  if [ "$only_new" = true ]; then
    cmd+=(--only-new)
  fi
fi
# extra arguments: split at whitespace (spaces, tabs, newlines); no quotes, globs or
# expansions are interpreted
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
fi
# (the `+` form: bash 3.2, macOS's, calls an empty array unbound)
cmd+=(${extra[@]+"${extra[@]}"} -- "$path")

# %q: an input with a newline cannot start a workflow command of its own
printf 'drlint:' >&2
printf ' %q' "${cmd[@]}" >&2
echo >&2
status=0
"${cmd[@]}" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  die "drlint stopped with exit code $status (its message is above)"
fi
[ -f "$json" ] || die "drlint wrote no report to $json"

findings="$(jq '.findings | length' "$json")"
new_findings=""
if [ -n "$base" ]; then
  new_findings="$(jq '[.findings[] | select(.status == "new")] | length' "$json")"
fi
{
  echo "findings=$findings"
  echo "new-findings=$new_findings"
  echo "sarif-file=$sarif"
} >>"${GITHUB_OUTPUT:-/dev/null}"

if [ "$status" -eq 1 ]; then
  if [ "$fail_on" = never ]; then
    echo "drlint: $findings finding(s); fail-on is never: passing"
  else
    echo "drlint: findings at or above $fail_on: failing (fail-on: never only reports them)"
    exit 1
  fi
else
  echo "drlint: $findings finding(s), none at or above $fail_on"
fi
