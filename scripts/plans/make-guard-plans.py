#!/usr/bin/env python3
"""Real `terraform plan` JSON for the plan guard (`drlint check --plan`).

Each case below is a small configuration at two moments: `before` (what is
applied: the state) and `after` (what the change makes of it, the HCL that is
committed). For each case, in a throw-away working directory:

1. the `before` configuration is planned as a create, and its planned values
   become a hand-made `terraform.tfstate` (values known only after apply get
   the placeholders of make-plans.py; modules, `count` and `for_each` keep
   their instance keys);
2. the `before` configuration planned against that state must be a no-op
   (values the provider normalises are taken into the state, three rounds);
3. the `after` configuration is planned against it, `-refresh=false`, and
   `terraform show -json` is kept, pretty-printed, as `plan.json`.

Written per case folder: the `after` HCL as it was planned (with the
fixture's `# expect:` comments), `main.tf.before` (the `before` root file,
for PR-mode tests, not read by drlint), `plan.json`, and an `expect` file
with the findings that point into `plan.json` (the line of each change's
`"address"` member). The provider block (mock credentials, every `skip_*`)
is written by the script and not committed.

Needs what make-plans.py needs (terraform 1.11.x, hashicorp/aws 5.100.0 in a
filesystem mirror); it reuses its plumbing. No network, no credentials.

Usage: scripts/plans/make-guard-plans.py [--only CASE[,CASE]]
"""
import argparse
import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_plans", os.path.join(HERE, "make-plans.py"))
mp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mp)

RULE = "plan-destroys-data-store"
RULE_DIR = os.path.join(mp.REPO, "fixtures", "rules", RULE)
SCENARIO_DIR = os.path.join(mp.REPO, "fixtures", "scenarios")

DB = """  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = "mock-password-123"
  backup_retention_period = 7
"""


def db(name, identifier, extra="", expect=""):
    """An aws_db_instance block; `extra` lines go inside, `expect` after the header."""
    header = 'resource "aws_db_instance" "%s" {%s\n' % (name, " # expect: " + expect if expect else "")
    return header + '  identifier          = "%s"\n' % identifier + DB + extra + "}\n"


PROTECTED = "  deletion_protection = true\n  skip_final_snapshot = false\n  final_snapshot_identifier = \"%s-final\"\n"
UNPROTECTED_SKIP = "  deletion_protection = false\n  skip_final_snapshot = true\n"
FINAL_SNAPSHOT = "  deletion_protection = false\n  skip_final_snapshot = false\n  final_snapshot_identifier = \"%s-final\"\n"

MODULE_DB = """variable "name" {
  type = string
}

variable "engine" {
  type = string
}

variable "deletion_protection" {
  type    = bool
  default = true
}

resource "aws_db_instance" "this" {%s
  identifier                = "app-${var.name}"
  engine                    = var.engine
  instance_class            = "db.t3.micro"
  allocated_storage         = 20
  username                  = "app"
  password                  = "mock-password-123"
  backup_retention_period   = 7
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-final"
}
"""

TABLE = """resource "aws_dynamodb_table" "sessions" {%s
  name         = "app-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "%s"

  attribute {
    name = "%s"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }
}
"""

COUNT = """variable "names" {
  type    = list(string)
  default = %s
}

resource "aws_db_instance" "db" {%s
  count                     = length(var.names)
  identifier                = "app-${var.names[count.index]}"
  engine                    = "postgres"
  instance_class            = "db.t3.micro"
  allocated_storage         = 20
  username                  = "app"
  password                  = "mock-password-123"
  backup_retention_period   = 7
  deletion_protection       = false # expect: deletion-protection-disabled
  skip_final_snapshot       = false
  final_snapshot_identifier = "app-${var.names[count.index]}-final"
}
"""

VALUES = """variable "protect" {
  type = bool
}

variable "retention" {
  type = number
}

resource "aws_db_instance" "ledger" {
  identifier                = "app-ledger"
  engine                    = "postgres"
  instance_class            = "db.t3.micro"
  allocated_storage         = 20
  username                  = "app"
  password                  = "mock-password-123"
  backup_retention_period   = var.retention%s
  deletion_protection       = var.protect%s
  skip_final_snapshot       = false
  final_snapshot_identifier = "app-ledger-final"
}
%s"""

# created by the change: its retention is known only after the apply
UNKNOWN = """
resource "terraform_data" "retention" {
  input = 14
}

resource "aws_db_instance" "reports" {
  identifier                = "app-reports"
  engine                    = "postgres"
  instance_class            = "db.t3.micro"
  allocated_storage         = 20
  username                  = "app"
  password                  = "mock-password-123"
  backup_retention_period   = terraform_data.retention.output
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "app-reports-final"
}
"""

BUCKET = """resource "aws_s3_bucket" "%s" {
  bucket        = "app-%s-0123456789"
  force_destroy = %s
}
"""

# kept: versioned by a companion resource, which the plan's values say too
KEPT_BUCKETS = """resource "aws_s3_bucket" "logs" {
  bucket = "app-logs-0123456789"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}
"""

CASES = {
    # engine cannot change in place: replaced, while deletion protection is on
    "replace": dict(
        before={"main.tf": db("orders", "app-orders", PROTECTED % "app-orders")},
        after={"main.tf": db("orders", "app-orders", PROTECTED % "app-orders", RULE).replace(
            'engine              = "postgres"', 'engine              = "mysql"')},
        in_plan=[],
    ),
    # three instances deleted from the configuration: protected, no final snapshot, final snapshot
    "delete": dict(
        before={"main.tf": db("ledger", "app-ledger", PROTECTED % "app-ledger") + "\n"
                + db("scratch", "app-scratch", UNPROTECTED_SKIP) + "\n"
                + db("archive", "app-archive", FINAL_SNAPSHOT % "app-archive")},
        after={"main.tf": "# ledger, scratch and archive were deleted from this file\n"},
        in_plan=["aws_db_instance.ledger", "aws_db_instance.scratch", "aws_db_instance.archive"],
    ),
    # a removed block that lets go: `forget`, not a finding
    "forget": dict(
        before={"main.tf": db("legacy", "app-legacy", FINAL_SNAPSHOT % "app-legacy")},
        after={"main.tf": "removed {\n  from = aws_db_instance.legacy\n\n  lifecycle {\n    destroy = false\n  }\n}\n"},
        in_plan=[],
    ),
    # a moved block: the plan moves it (previous_address), not a finding
    "moved": dict(
        before={"main.tf": db("old", "app-orders", PROTECTED % "app-orders")},
        after={"main.tf": db("primary", "app-orders", PROTECTED % "app-orders")
               + "\nmoved {\n  from = aws_db_instance.old\n  to   = aws_db_instance.primary\n}\n"},
        in_plan=[],
    ),
    # renamed without a moved block: destroyed, and the same identifier created elsewhere
    "rename": dict(
        before={"main.tf": db("old", "app-orders", FINAL_SNAPSHOT % "app-orders")},
        after={"main.tf": db("primary", "app-orders", FINAL_SNAPSHOT % "app-orders").replace(
            "  deletion_protection = false\n", "  deletion_protection = false # expect: deletion-protection-disabled\n")},
        in_plan=["aws_db_instance.old"],
    ),
    # an entry removed from the middle of a count list: the last index is destroyed
    "count-index": dict(
        before={"main.tf": COUNT % ('["orders", "billing", "audit"]', "")},
        after={"main.tf": COUNT % ('["orders", "audit"]', " # expect: " + RULE)},
        in_plan=[],
    ),
    # inside a local module: replaced (engine), and a whole module call removed
    "module": dict(
        before={
            "main.tf": 'module "orders_db" {\n  source = "./modules/db"\n  name   = "orders"\n  engine = "postgres"\n}\n\n'
                       'module "reports_db" {\n  source              = "./modules/db"\n  name                = "reports"\n  engine              = "postgres"\n  deletion_protection = false\n}\n',
            "modules/db/main.tf": MODULE_DB % "",
        },
        after={
            "main.tf": 'module "orders_db" {\n  source = "./modules/db"\n  name   = "orders"\n  engine = "mysql"\n}\n',
            "modules/db/main.tf": MODULE_DB % (" # expect: " + RULE),
        },
        in_plan=["module.reports_db.aws_db_instance.this"],
    ),
    # buckets deleted: one with force_destroy, one without; one kept, versioned by a companion
    "s3": dict(
        before={"main.tf": BUCKET % ("uploads", "uploads", "true") + "\n" + BUCKET % ("archive", "archive", "false")
                + "\n" + KEPT_BUCKETS},
        after={"main.tf": "# the uploads and archive buckets were deleted from this file\n\n" + KEPT_BUCKETS},
        in_plan=["aws_s3_bucket.uploads", "aws_s3_bucket.archive"],
    ),
    # a table whose hash key changes: replaced, point-in-time recovery on
    # (the table sets no deletion_protection_enabled: the code reports it too)
    "dynamodb": dict(
        before={"main.tf": TABLE % ("", "id", "id")},
        after={"main.tf": TABLE % (" # expect: %s, deletion-protection-disabled" % RULE, "pk", "pk")},
        in_plan=[],
    ),
}

# an update that turns protection off and cuts retention, through variables the code cannot
# know (`-var`): the existing rules see the plan's `after` values
SCENARIOS = {
    "plan-values": dict(
        before={"main.tf": VALUES % ("", "", "")},
        before_vars=["protect=true", "retention=7"],
        after={"main.tf": VALUES % (" # expect: backup-retention-too-short", " # expect: deletion-protection-disabled", UNKNOWN)},
        after_vars=["protect=false", "retention=0"],
        in_plan=[],
    ),
}


def write_files(d, files):
    for rel in list_files(d):
        os.remove(os.path.join(d, rel))
    for rel, text in files.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def list_files(d):
    out = []
    for root, dirs, files in os.walk(d):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for f in files:
            if f.endswith(".tf") and f != "provider.tf":
                out.append(os.path.relpath(os.path.join(root, f), d))
    return out


class Case:
    def __init__(self, tf, name, case):
        self.tf, self.name, self.case = tf, name, case
        self.dir = tempfile.mkdtemp(prefix="guard-%s-" % name, dir=tf.root)
        with open(os.path.join(self.dir, "provider.tf"), "w") as f:
            f.write(mp.PROVIDER_TF)
        shutil.copy(tf.lock, os.path.join(self.dir, ".terraform.lock.hcl"))
        self.env = dict(tf.env, TF_DATA_DIR=os.path.join(self.dir, ".terraform"))

    def run(self, args):
        p = subprocess.run(["terraform"] + args, cwd=self.dir, env=self.env, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("%s: terraform %s failed:\n%s%s" % (self.name, " ".join(args), p.stdout, p.stderr))
        return p.stdout

    def plan(self, files, variables, state):
        write_files(self.dir, files)
        state_path = os.path.join(self.dir, "terraform.tfstate")
        if os.path.exists(state_path):
            os.remove(state_path)
        if state is not None:
            with open(state_path, "w") as f:
                json.dump(state, f, indent=2)
        self.run(["init", "-input=false", "-no-color", "-backend=false"])
        var_args = ["-var=" + v for v in variables]
        self.run(["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=p"] + var_args)
        return json.loads(self.run(["show", "-json", "-no-color", "p"]))


# What AWS itself holds where a placeholder would say something false: an instance
# not restored from a snapshot has no snapshot_identifier; a bucket's and a table's id
# is its name (the provider's own).
REAL = {
    "aws_db_instance": lambda a: a.update(snapshot_identifier=None),
    "aws_rds_cluster": lambda a: a.update(snapshot_identifier=None),
    "aws_s3_bucket": lambda a: a.update(id=a["bucket"]),
    "aws_dynamodb_table": lambda a: a.update(id=a["name"]),
}


def state_of(tf, plan):
    """A state holding what `plan` (a create of every resource) would make."""
    groups = {}
    for rc in plan.get("resource_changes", []):
        if rc["mode"] != "managed":
            continue
        if rc["change"]["actions"] != ["create"]:
            sys.exit("the before plan is not a create: %s %s" % (rc["address"], rc["change"]["actions"]))
        block = tf.schemas[rc["type"]]["block"]
        ch = rc["change"]
        attrs = mp.fill_block(ch["after"], ch["after_unknown"], block)
        if attrs.get("id") in (None, "mock-id"):
            attrs["id"] = "mock-id-" + mp.keyof(rc["address"])
        REAL.get(rc["type"], lambda a: None)(attrs)
        key = (rc.get("module_address"), rc["type"], rc["name"])
        entry = groups.setdefault(key, {
            "mode": "managed", "type": rc["type"], "name": rc["name"],
            "provider": mp.PROVIDER_ADDR, "instances": []})
        if rc.get("module_address"):
            entry["module"] = rc["module_address"]
        instance = {"schema_version": tf.schemas[rc["type"]]["version"], "attributes": attrs,
                    "sensitive_attributes": mp.sensitive_paths(block, attrs)}
        if "index" in rc:
            instance["index_key"] = rc["index"]
            entry["each"] = "list" if isinstance(rc["index"], int) else "map"
        entry["instances"].append(instance)
    return {"version": 4, "terraform_version": "1.11.4", "serial": 1,
            "lineage": "00000000-0000-0000-0000-000000000000", "outputs": {},
            "resources": list(groups.values()), "check_results": None}


def settle(case, state, files, variables):
    """Plans `before` against the state until it is a no-op, taking into the
    state the values the provider normalises, and the known values of
    references a placeholder stood for (`bucket = aws_s3_bucket.logs.id`,
    whose change would replace), in three rounds."""
    for _ in range(3):
        plan = case.plan(files, variables, state)
        pending = [rc for rc in plan.get("resource_changes", []) if rc["change"]["actions"] != ["no-op"]]
        if not pending:
            return state
        for rc in pending:
            ch = rc["change"]
            forced = [p[0] for p in ch.get("replace_paths", [])]
            known = all(not ch["after_unknown"].get(k) for k in forced)
            if ch["actions"] != ["update"] and not (ch["actions"] == ["delete", "create"] and forced and known):
                sys.exit("%s: the before state does not settle: %s %s" % (case.name, rc["address"], ch["actions"]))
            for entry in state["resources"]:
                if entry["type"] != rc["type"] or entry["name"] != rc["name"] or entry.get("module") != rc.get("module_address"):
                    continue
                for inst in entry["instances"]:
                    if inst.get("index_key") == rc.get("index"):
                        block = case.tf.schemas[rc["type"]]["block"]
                        inst["attributes"].update(
                            {k: v for k, v in mp.fill_block(rc["change"]["after"], rc["change"]["after_unknown"], block).items()
                             if k != "id"})
    sys.exit("%s: the before state does not settle in three rounds" % case.name)


def address_line(text, address):
    """The line (1-based) of a change's `"address"` member in resource_changes."""
    lines = text.splitlines()
    start = lines.index('  "resource_changes": [')
    want = '      "address": %s,' % json.dumps(address)
    for i in range(start, len(lines)):
        if lines[i] == want:
            return i + 1
    sys.exit("no change for %s in resource_changes" % address)


def make(tf, name, case, out):
    c = Case(tf, name, case)
    before_vars, after_vars = case.get("before_vars", []), case.get("after_vars", [])
    create = c.plan(case["before"], before_vars, None)
    state = settle(c, state_of(tf, create), case["before"], before_vars)
    plan = c.plan(case["after"], after_vars, state)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for rel, text in case["after"].items():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(os.path.join(out, "main.tf.before"), "w") as f:
        f.write(case["before"]["main.tf"])
    text = json.dumps(plan, indent=2) + "\n"
    with open(os.path.join(out, "plan.json"), "w") as f:
        f.write(text)
    lines = ["# findings in plan.json: changes whose block is gone (scripts/plans/make-guard-plans.py)"]
    lines += ["plan.json:%d: %s" % (address_line(text, a), RULE) for a in case["in_plan"]]
    with open(os.path.join(out, "expect"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for rc in plan["resource_changes"]:
        ch = rc["change"]
        print("%-14s %-44s %-20s %s %s" % (name, rc["address"], ch["actions"], rc.get("action_reason", ""),
                                            ch.get("replace_paths", "")), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated case names")
    args = ap.parse_args()
    only = [c for c in args.only.split(",") if c]
    root = tempfile.mkdtemp(prefix="drlint-guard-plans-")
    try:
        tf = mp.TF(root)
        tf.root = root
        jobs = [(n, c, os.path.join(RULE_DIR, n)) for n, c in CASES.items()]
        jobs += [(n, c, os.path.join(SCENARIO_DIR, n)) for n, c in SCENARIOS.items()]
        for name, case, out in jobs:
            if only and name not in only:
                continue
            make(tf, name, copy.deepcopy(case), out)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
