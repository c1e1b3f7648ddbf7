#!/usr/bin/env bash
# PR-mode benchmark: a copy of the whole corpus as a git repository, one file
# changed, `drlint check --base HEAD` timed (median of 5). Needs a release build.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$here/../shared/corpus/cloud-platform-environments}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/repo"
cd "$work/repo"
git init -q -b main
git -c user.email=b@example.com -c user.name=bench add -A
git -c user.email=b@example.com -c user.name=bench commit -q -m corpus
file="namespaces/live.cloud-platform.service.justice.gov.uk/laa-landing-page-dev/resources/rds.tf"
sed -i 's/db_backup_retention_period   = "35"/db_backup_retention_period   = "3"/' "$file"
echo "files in the repository: $(git ls-files | wc -l); changed: $file"
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$here/target/release/drlint" check --base HEAD --timings --format json . > /tmp/drlint-pr-bench.json 2> /tmp/drlint-pr-bench.err || true
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms wall; $(tail -1 /tmp/drlint-pr-bench.err)"
done
python3 -c "import json; d=json.load(open('/tmp/drlint-pr-bench.json')); print('findings:', [(f['status'], f['rule']) for f in d['findings']])"
