#!/usr/bin/env python3
"""Corpus report: drlint on the Cloud Platform environments corpus.

Prints per-rule counts (production vs not), unknown-value counts and timings
(median of N runs, peak memory), then compares drlint's effective values for
every rds-instance, rds-aurora and s3-bucket call with the reference table
cloud-platform-environments.datastore-modules.tsv and lists each disagreement
with its reason.

Usage: scripts/corpus-report.py [--runs 5] [--corpus ../shared/corpus]
Needs a release build: cargo build --release -p drlint-cli
"""
import argparse
import collections
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "drlint")

# TSV attribute (module input) -> drlint canonical attribute, per module kind
CANONICAL = {
    "rds-instance": {
        "deletion_protection": "deletion_protection",
        "db_backup_retention_period": "backup_retention",
        "skip_final_snapshot": "skip_final_snapshot",
        "snapshot_identifier": "snapshot_identifier",
        "is_migration": "is_migration",
        "replicate_source_db": "replicate_source_db",
        "enable_rds_auto_start_stop": "enable_rds_auto_start_stop",
    },
    "rds-aurora": {
        "deletion_protection": "deletion_protection",
        "backup_retention_period": "backup_retention",
        "skip_final_snapshot": "skip_final_snapshot",
        "snapshot_identifier": "snapshot_identifier",
    },
    "s3-bucket": {"versioning": "versioning"},
}


def run(args, check=True):
    started = time.perf_counter()
    proc = subprocess.run([BIN] + args, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and proc.returncode not in (0, 1):
        sys.exit(f"drlint {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc, elapsed


def text(value):
    """drlint's JSON value as the TSV writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict) and value.get("unknown"):
        return "(unknown)"
    if value is None:
        return "null"
    return str(value)


def tsv_text(raw):
    return raw.strip('"')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    opts = ap.parse_args()
    envs = os.path.relpath(os.path.join(opts.corpus, "cloud-platform-environments"))
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release -p drlint-cli")

    # timings
    walls = []
    for _ in range(opts.runs):
        proc, wall = run(["check", "--format", "json", "--timings", envs])
        walls.append(wall)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = json.loads(proc.stdout)
    phases = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    print(f"command: drlint check --format json {envs}")
    print(f"wall time: median {statistics.median(walls):.3f} s of {opts.runs} runs "
          f"(min {min(walls):.3f}, max {max(walls):.3f}); peak RSS {peak_mb:.0f} MB; {os.cpu_count()} CPUs")
    print(f"last run: {phases}")
    s = report["summary"]
    print(f"files: {s['files']}; findings: {s['findings']}; checks skipped on unknown values: {s['unknown_values_skipped']}")

    inspect, _ = run(["inspect", envs])
    stores = json.loads(inspect.stdout)["data_stores"]
    prod_by_dir = {}
    for st in stores:
        prod_by_dir[os.path.dirname(st["path"])] = st["in_production"]

    counts = collections.Counter()
    for f in report["findings"]:
        prod = prod_by_dir.get(os.path.dirname(f["path"]))
        where = "production" if prod is True else ("non-production" if prod is False else "no data store")
        counts[(f["rule"], f["severity"], where)] += 1
    print("\nfindings per rule (severity, production status of the folder):")
    for rule in sorted({k[0] for k in counts}):
        parts = ", ".join(f"{n} {sev} in {where}" for (r, sev, where), n in sorted(counts.items()) if r == rule)
        total = sum(n for (r, _, _), n in counts.items() if r == rule)
        print(f"  {rule:36} {total:5}  ({parts})")

    # comparison with the reference table
    by_call = {}
    for st in stores:
        if st["address"].startswith("module.") and st["address"].count(".") == 1:
            by_call[(st["path"], st["address"][len("module."):])] = st
    tsv = os.path.join(opts.corpus, "cloud-platform-environments.datastore-modules.tsv")
    disagreements = []
    compared = 0
    calls = set()
    with open(tsv) as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    count_zero = {
        (os.path.join(envs, r["file"]), r["module_name"])
        for r in rows
        if r["attribute"] == "count" and tsv_text(r["resolved_value"]) == "0"
    }
    not_created = set()
    for row in rows:
        kind = row["module_kind"]
        if kind not in CANONICAL or row["attribute"] not in CANONICAL[kind]:
            continue
        path = os.path.join(envs, row["file"])
        call = (path, row["module_name"])
        calls.add(call)
        store = by_call.get(call)
        canonical = CANONICAL[kind][row["attribute"]]
        if store is None:
            if call in count_zero:
                not_created.add(call)  # count = 0: Terraform creates nothing, drlint checks nothing
            else:
                disagreements.append((row, None, "drlint has no data store for this call"))
            continue
        compared += 1
        attr = store["attributes"].get(canonical, {"from": "absent", "value": None})
        ours = text(attr["value"])
        theirs = tsv_text(row["resolved_value"])
        if theirs == "(module default)":
            if attr["from"] in ("default", "absent"):
                continue
            reason = f"the table says the argument is absent; drlint reads it as {attr['from']}"
        elif theirs == ours:
            continue
        elif "${" in theirs and ours == "(unknown)":
            continue  # neither can know it (another module's output, a data source)
        elif "${" in theirs:
            reason = "the table kept the expression unevaluated; drlint evaluated it"
        elif ours == "(unknown)":
            reason = "drlint cannot know the value statically"
        else:
            reason = "different values"
        disagreements.append((row, ours, reason))
    print(f"\n{len(not_created)} calls have count = 0 (the table's own count row): not created, so not checked")
    print(f"\nreference table: {len(calls)} rds-instance/rds-aurora/s3-bucket calls, {compared} attribute values compared, "
          f"{len(disagreements)} disagreements")
    by_reason = collections.Counter(r for _, _, r in disagreements)
    for reason, n in by_reason.most_common():
        print(f"  {n:4}  {reason}")
    for row, ours, reason in disagreements:
        print(f"  {row['file']}:{row['line']} module.{row['module_name']} {row['attribute']}: "
              f"table {row['resolved_value']!r}, drlint {ours!r} — {reason}")


if __name__ == "__main__":
    main()
