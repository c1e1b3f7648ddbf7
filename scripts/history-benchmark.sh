#!/usr/bin/env bash
# Ages from git history on a real clone: the whole namespaces/ tree and a
# one-folder pull request, with counts per aged rule (with an age, errors).
#
#   scripts/history-benchmark.sh CLONE [BEFORE_BINARY]
#
# CLONE is a full (non-shallow) clone of cloud-platform-environments, e.g.
#   git clone --no-checkout MIRROR /work/cpe && git -C /work/cpe checkout ccab751e88c4
# Its commit-graph is written if missing (git commit-graph write --reachable
# --changed-paths). BEFORE_BINARY, if given, is run on the whole tree too, for
# a before/after comparison. PR_ONLY=1 runs only the pull-request part.
# Needs a release build (cargo build --release -p drlint-cli). The PR run
# makes a throw-away commit on a detached HEAD and goes back.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
clone="$(cd "${1:?usage: $0 CLONE [BEFORE_BINARY]}" && pwd)"
before="${2:-}"
drlint="$here/target/release/drlint"
out="$(mktemp -d)"
cd "$clone"

echo "repository: $(git rev-parse --short HEAD), $(git rev-list --count HEAD) commits, shallow: $(git rev-parse --is-shallow-repository)"
if [ ! -e .git/objects/info/commit-graph ] && [ ! -d .git/objects/info/commit-graphs ]; then
  /usr/bin/time -f "commit-graph written in %e s" git commit-graph write --reachable --changed-paths
fi

counts() {
  python3 - "$1" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
for rule in ("deletion-protection-disabled", "snapshot-identifier-lingering", "apply-pipeline-skipped"):
    fs = [f for f in d["findings"] if f["rule"] == rule]
    if not fs:
        continue
    aged = [f for f in fs if f.get("since")]
    lower = sum(1 for f in aged if f["since"].get("at_least"))
    errors = sum(1 for f in fs if f["severity"] == "error")
    why = collections.Counter(f.get("age_unknown", "(no reason given)") for f in fs if not f.get("since"))
    print(f"  {rule}: {len(fs)} findings, {len(aged)} with an age ({lower} lower bounds), {errors} errors; without an age: {dict(why)}")
PY
}

runs=0
run() { # label binary args...
  local label="$1" bin="$2"
  shift 2
  runs=$((runs + 1))
  local file="$out/run$runs"
  /usr/bin/time -f "%e s wall, %U s user, %S s system" -o "$out/time" \
    "$bin" check --format json --timings "$@" > "$file.json" 2> "$file.err" || true
  echo "$label: $(grep -v 'exited with' "$out/time")"
  grep -h "drlint: \(history\|timings\|note\)" "$file.err" | sed 's/^/  /' || true
  counts "$file.json"
}

echo "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
if [ -z "${PR_ONLY:-}" ]; then
  run "whole tree, with history" "$drlint" namespaces/
  run "whole tree, --no-history" "$drlint" --no-history namespaces/
  if [ -n "$before" ]; then
    run "whole tree, before ($before)" "$before" namespaces/
  fi
fi

# one-folder pull request: a whitespace edit in one namespace, --base HEAD~1
folder="namespaces/live.cloud-platform.service.justice.gov.uk/prisoner-content-hub-development/resources"
start="$(git rev-parse HEAD)"
trap 'git checkout -q -- "$folder/rds.tf"; git checkout -q --detach "$start"; rm -rf "$out"' EXIT
# the commit is made with plumbing: a mirror may lack some large blobs (write-tree --missing-ok)
printf '\n' >> "$folder/rds.tf"
blob="$(git hash-object -w "$folder/rds.tf")"
GIT_INDEX_FILE="$out/index" git read-tree HEAD
GIT_INDEX_FILE="$out/index" git update-index --cacheinfo "100644,$blob,$folder/rds.tf"
tree="$(GIT_INDEX_FILE="$out/index" git write-tree --missing-ok)"
bench="$(git -c user.email=b@example.com -c user.name=bench commit-tree "$tree" -p HEAD -m "bench: whitespace")"
git checkout -q -- "$folder/rds.tf"
git checkout -q --detach "$bench"
run "one-folder PR (--base HEAD~1, $folder)" "$drlint" --base HEAD~1 .
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.commitGraph GIT_CONFIG_VALUE_0=false \
  run "one-folder PR without the commit-graph" "$drlint" --base HEAD~1 .
