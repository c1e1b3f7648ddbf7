#!/usr/bin/env python3
"""Writes the seed corpora, fuzz/corpus/<target>/seed-*, from the repository's
own fixtures and rule files (none of the third-party `real-*` or `*.corpus.tf`
files). Run from anywhere; it replaces the seed-* files and leaves the inputs
libFuzzer added beside them.

The `folder` target reads a structured input (fuzz_targets/folder.rs, decoded
by `arbitrary` 1.x): its seeds are encoded here the way `arbitrary` decodes
them. `cargo fuzz fmt folder fuzz/corpus/folder/seed-...` prints one back.
"""

from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
FIX = ROOT / "fixtures"

SEEDS = {
    "hcl": [
        "rules/duplicate-object-key/main.tf",
        "rules/parse-error/unclosed.tf",
        "rules/parse-error/good.tf",
        "rules/suppression-without-reason/main.tf",
        "rules/s3-versioning-disabled/count/main.tf",
        "rules/s3-versioning-disabled/companions/main.tf",
        "rules/deletion-protection-disabled/null-means-unset/main.tf",
        "rules/rds-stopped-nightly-in-production/prod/main.tf",
        "scenarios/local-module/main.tf",
        "scenarios/tfvars-precedence/rds.tf",
        "scenarios/tfvars-precedence/variables.tf",
    ],
    "tfvars": [
        "scenarios/tfvars-precedence/a.auto.tfvars",
        "scenarios/tfvars-precedence/terraform.tfvars",
        "scenarios/tfvars-precedence/zz.auto.tfvars.json",
        "rules/rds-stopped-nightly-in-production/tfvars/terraform.tfvars",
        "rules/rds-stopped-nightly-in-production/tfvars/rds.auto.tfvars.json",
        "rules/snapshot-identifier-lingering/tfvars/terraform.tfvars",
        "rules/final-snapshot-skipped/tfvars/snapshots.auto.tfvars.json",
        "rules/deletion-protection-disabled/tfvars/terraform.tfvars",
    ],
    "yaml": [
        "scenarios/helm-layering/helm_deploy/api/values.yaml",
        "scenarios/helm-layering/helm_deploy/values-prod.yaml",
        "scenarios/helm-layering/helm_deploy/values-preprod.yaml",
        "rules/yaml11-ambiguous-boolean/values.yaml",
        "rules/inline-secret-value/references/values.yaml",
        "rules/image-tag-mutable/pinned/values.yaml",
        "rules/values-key-ignored-by-chart/helm_deploy/app/values.yaml",
        "rules/ingress-without-rate-limit/misplaced/helm_deploy/api/values.yaml",
        "rules/values-overlay-replaces-list/helm_deploy/values-base.yaml",
        "scenarios/suppressions-yaml/ns-b/00-namespace.yaml",
    ],
    "config": [
        "../rules/deletion-protection-disabled.yaml",
        "../rules/yaml11-ambiguous-boolean.yaml",
        "../rules/apply-pipeline-skipped.yaml",
        "../rules/values-overlay-replaces-list.yaml",
        "../rules/profiles/aws-secretsmanager-secret.yaml",
        "../rules/profiles/cloud-platform-rds-instance.yaml",
        "../rules/charts/generic-service.yaml",
    ],
}

# .drlint.yaml seeds (the configurations the CLI tests write)
CONFIGS = {
    "seed-drlint-overrides.yaml": (
        "severity_threshold: error\n"
        "rules:\n  deletion-protection-disabled:\n    severity: note\n"
        "  backup-retention-too-short:\n    options:\n      min_days: 3\n"
        "overrides:\n  - paths: [\"team-prod/**\"]\n    rules:\n"
        "      deletion-protection-disabled:\n        severity: error\n"
        "      parse-error: { enabled: false }\n"
        "exclude: [\"vendor/**\"]\ninclude: [\"**/*.tf\"]\n"
        "production:\n  name_pattern: \"-prod$\"\n"
    ),
    "seed-drlint-helm.yaml": (
        "helm:\n  environments: [live]\n  production_environments: [prod, live]\n"
        "  releases:\n    - name: app\n      chart: generic-service\n"
        "      values: [helm_deploy/app/values.yaml, helm_deploy/values-prod.yaml]\n"
        "      environment: prod\n"
        "  values: [\"k8s/**/values*.yaml\"]\n"
        "rules:\n  yaml11-ambiguous-boolean: { enabled: false }\n"
    ),
}

# (folder index, name index, fixture) per file of a `folder` seed; see folder.rs
FOLDERS = ["", "team-prod/", "team-prod/modules/db/", "helm_deploy/app/"]
NAMES = ["main.tf", "variables.tf", "terraform.tfvars", "00-namespace.yaml", "values.yaml"]
FOLDER_SEEDS = {
    "seed-tfvars-precedence": [
        (0, 0, "scenarios/tfvars-precedence/rds.tf"),
        (0, 1, "scenarios/tfvars-precedence/variables.tf"),
        (0, 2, "scenarios/tfvars-precedence/terraform.tfvars"),
    ],
    "seed-local-module": [
        (1, 0, "rules/deletion-protection-disabled/local-module/main.tf"),
        (2, 0, "rules/deletion-protection-disabled/local-module/modules/db/main.tf"),
        (1, 3, "rules/apply-pipeline-skipped/payments-prod/00-namespace.yaml"),
    ],
    "seed-production": [
        (1, 0, "rules/rds-stopped-nightly-in-production/prod/main.tf"),
        (1, 3, "rules/production-flag-mismatch/agree-prod/00-namespace.yaml"),
    ],
    "seed-helm": [
        (3, 4, "rules/single-replica-in-production/pdb-off/helm_deploy/app/values.yaml"),
        (0, 4, "rules/yaml11-ambiguous-boolean/values.yaml"),
        (0, 0, "rules/duplicate-object-key/main.tf"),
    ],
}


def length_width(remaining: int) -> int:
    """Bytes `arbitrary` takes from the end for a length, given what is left."""
    if remaining <= 0x100:
        return 1
    if remaining <= 0xFFFF + 2:
        return 2
    return 4


def encode_folder(files):
    """Bytes that `Folder::arbitrary_take_rest` decodes into these files:
    `first` and `second`, then `more` (a continuation byte before each).
    Each `File` is its folder and name bytes from the front, then its
    `&[u8]` content, whose length `arbitrary` reads from the end first."""
    widths = [(1, 0)] * len(files)
    while True:
        front = bytearray()
        for i, (folder, name, content) in enumerate(files):
            if i >= 2:
                front.append(1)  # `more` goes on
            front += bytes([folder, name]) + content
        total = len(front) + sum(w for w, _ in widths)
        # simulate the decoder to find the width of each length
        remaining, new = total, []
        for i, (_, _, content) in enumerate(files):
            remaining -= (1 if i >= 2 else 0) + 2
            w = length_width(remaining)
            new.append((w, remaining - w))
            remaining -= w + len(content)
        if new == widths:
            break
        widths = new
    tail = bytearray()
    for (_, _, content), (w, delta) in zip(files, widths):
        # big-endian, but only as many bytes as the range (0..=delta) needs are read
        used = max(1, (delta.bit_length() + 7) // 8)
        tail[:0] = len(content).to_bytes(used, "big") + bytes(w - used)
    return bytes(front + tail)


def main():
    for target, paths in SEEDS.items():
        out = FUZZ / "corpus" / target
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("seed-*"):
            old.unlink()
        for p in paths:
            src = (FIX / p).resolve()
            name = "seed-" + str(src.relative_to(ROOT)).replace("/", "-")
            (out / name).write_bytes(src.read_bytes())
    for name, text in CONFIGS.items():
        (FUZZ / "corpus" / "config" / name).write_text(text)
    out = FUZZ / "corpus" / "folder"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("seed-*"):
        old.unlink()
    for name, files in FOLDER_SEEDS.items():
        loaded = [(f, n, (FIX / p).read_bytes()) for f, n, p in files]
        (out / name).write_bytes(encode_folder(loaded))


if __name__ == "__main__":
    main()
