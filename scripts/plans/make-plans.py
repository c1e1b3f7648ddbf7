#!/usr/bin/env python3
"""Ask Terraform which argument edits replace an EXISTING resource.

For every case below: write a hand-made terraform.tfstate holding the resource
at its "before" attributes, write the "after" configuration, run
`terraform plan -refresh=false` offline against the mocked aws provider, and
save `terraform show -json` output under fixtures/plans/<type>/<arg>-<transition>.json.
Then derive fixtures/plans/summary.json from those files only.

The "before" state is not guessed attribute by attribute: the "before"
configuration is first planned as a create (all cases of one resource type in
one batched throw-away plan), its planned values become the state (values the
provider only knows after apply are filled with type-based placeholders), and
a second throw-away plan checks that the "before" configuration is a no-op
against that state. Only then is the "after" configuration planned, one case
per terraform run, and that plan is what is kept.

Needs: terraform on PATH (1.11.x) and the hashicorp/aws provider in a
filesystem mirror (default /opt/tf-plugins, override with TF_PLUGIN_MIRROR).
No network, no credentials. Temp dirs are removed on exit.

Usage: scripts/plans/make-plans.py [--only TYPE[,TYPE]] [--jobs N]
"""
import argparse
import concurrent.futures
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "fixtures", "plans")
MIRROR = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")
AWS_VERSION = "5.100.0"
PROVIDER_ADDR = 'provider["registry.terraform.io/hashicorp/aws"]'
ABSENT = object()  # the argument is not written in the configuration

K1 = "arn:aws:kms:eu-west-2:123456789012:key/11111111-1111-1111-1111-111111111111"
K2 = "arn:aws:kms:eu-west-2:123456789012:key/22222222-2222-2222-2222-222222222222"

PROVIDER_TF = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "%s"
    }
  }
}

provider "aws" {
  region                      = "eu-west-2"
  access_key                  = "mock_access_key"
  secret_key                  = "mock_secret_key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}
""" % AWS_VERSION

CLI_CONFIG = """provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
""" % MIRROR


def C(path, transition, before=ABSENT, after=ABSENT, base=None, before_extra=None, after_extra=None):
    """One case. `path` is the argument (dots go into single nested blocks).
    before/after are the argument's values (ABSENT = not written).
    base: overrides merged into the type's base config for this case (ABSENT deletes).
    before_extra/after_extra: further overrides applied to one side only."""
    return dict(path=path, transition=transition, before=before, after=after,
                base=base or {}, before_extra=before_extra or {}, after_extra=after_extra or {})


def CAR(path, a, b, transitions=("change", "add", "remove"), **kw):
    """change a->b, add absent->b, remove a->absent (those listed)."""
    out = []
    for t in transitions:
        if t == "change":
            out.append(C(path, t, a, b, **kw))
        elif t == "add":
            out.append(C(path, t, ABSENT, b, **kw))
        elif t == "remove":
            out.append(C(path, t, a, ABSENT, **kw))
    return out


SQLSERVER = {"engine": "sqlserver-se", "engine_version": "15.00.4345.5.v1", "license_model": "license-included",
             "instance_class": "db.m5.large", "db_name": ABSENT, "allocated_storage": 100}

TYPES = {
    "aws_db_instance": {
        "base": {
            "identifier": "app-db-a", "engine": "postgres", "engine_version": "16.3",
            "instance_class": "db.t3.micro", "allocated_storage": 20, "storage_type": "gp2",
            "db_name": "appdb", "username": "appuser", "password": "mock-password-123",
            "storage_encrypted": True, "kms_key_id": K1, "availability_zone": "eu-west-2a",
            "multi_az": False, "deletion_protection": False, "backup_retention_period": 7,
            "db_subnet_group_name": "app-subnets-a", "skip_final_snapshot": False,
            "final_snapshot_identifier": "app-db-final-a",
        },
        "cases": [
            *CAR("identifier", "app-db-a", "app-db-b", ("change", "remove")),
            C("engine", "change", "postgres", "mysql", base={"engine_version": ABSENT}),
            C("engine_version", "change", "16.3", "17.2"),
            C("engine_version", "remove", "16.3", ABSENT),
            C("instance_class", "change", "db.t3.micro", "db.t3.small"),
            *CAR("db_name", "appdb", "appdb2"),
            *CAR("character_set_name", "SQL_Latin1_General_CP1_CI_AS", "Latin1_General_CI_AS", base=SQLSERVER),
            C("storage_encrypted", "change", False, True, base={"kms_key_id": ABSENT}),
            C("storage_encrypted", "add", ABSENT, True, base={"kms_key_id": ABSENT}),
            C("storage_encrypted", "remove", True, ABSENT, base={"kms_key_id": ABSENT}),
            *CAR("kms_key_id", K1, K2),
            *CAR("username", "appuser", "appadmin", ("change", "remove")),
            *CAR("availability_zone", "eu-west-2a", "eu-west-2b"),
            *CAR("snapshot_identifier", "app-db-snap-a", "app-db-snap-b"),
            # the cloud-platform rds-instance module passes snapshot_identifier = "" by default
            C("snapshot_identifier", "add_from_empty", "", "app-db-snap-b"),
            C("snapshot_identifier", "remove_to_empty", "app-db-snap-a", ""),
            C("replicate_source_db", "add", ABSENT, "arn:aws:rds:eu-west-2:123456789012:db:app-db-source",
              after_extra={"username": ABSENT, "password": ABSENT, "db_name": ABSENT}),
            C("multi_az", "change", False, True, base={"availability_zone": ABSENT}),
            C("multi_az", "remove", True, ABSENT, base={"availability_zone": ABSENT}),
            C("deletion_protection", "change", False, True),
            C("deletion_protection", "remove", True, ABSENT),
            C("backup_retention_period", "change", 7, 14),
            C("backup_retention_period", "remove", 7, ABSENT),
            C("allocated_storage", "change", 20, 50),
            C("storage_type", "change", "gp2", "gp3"),
            *CAR("db_subnet_group_name", "app-subnets-a", "app-subnets-b"),
            *CAR("timezone", "GMT Standard Time", "UTC", base=SQLSERVER),
            *CAR("final_snapshot_identifier", "app-db-final-a", "app-db-final-b"),
            C("skip_final_snapshot", "change", False, True, base={"final_snapshot_identifier": ABSENT}),
            C("skip_final_snapshot", "add", ABSENT, True, base={"final_snapshot_identifier": ABSENT}),
            C("skip_final_snapshot", "remove", True, ABSENT),
        ],
    },
    "aws_rds_cluster": {
        "base": {
            "cluster_identifier": "app-cluster-a", "engine": "aurora-postgresql", "engine_version": "16.4",
            "engine_mode": "provisioned", "database_name": "appdb", "master_username": "appuser",
            "master_password": "mock-password-123", "storage_encrypted": True, "kms_key_id": K1,
            "availability_zones": ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
            "db_subnet_group_name": "app-subnets-a", "deletion_protection": False,
            "backup_retention_period": 7, "skip_final_snapshot": True,
        },
        "cases": [
            *CAR("cluster_identifier", "app-cluster-a", "app-cluster-b", ("change", "remove")),
            C("engine", "change", "aurora-postgresql", "aurora-mysql", base={"engine_version": ABSENT}),
            *CAR("engine_mode", "provisioned", "serverless"),
            C("engine_version", "change", "16.4", "16.6"),
            C("engine_version", "remove", "16.4", ABSENT),
            *CAR("database_name", "appdb", "appdb2"),
            *CAR("master_username", "appuser", "appadmin", ("change", "remove")),
            C("storage_encrypted", "change", False, True, base={"kms_key_id": ABSENT}),
            C("storage_encrypted", "add", ABSENT, True, base={"kms_key_id": ABSENT}),
            C("storage_encrypted", "remove", True, ABSENT, base={"kms_key_id": ABSENT}),
            *CAR("kms_key_id", K1, K2),
            *CAR("snapshot_identifier", "app-cluster-snap-a", "app-cluster-snap-b"),
            # the cloud-platform rds-aurora module passes snapshot_identifier = "" by default
            C("snapshot_identifier", "add_from_empty", "", "app-cluster-snap-b"),
            C("snapshot_identifier", "remove_to_empty", "app-cluster-snap-a", ""),
            *CAR("availability_zones", ["eu-west-2a", "eu-west-2b", "eu-west-2c"], ["eu-west-2a", "eu-west-2b"]),
            *CAR("db_subnet_group_name", "app-subnets-a", "app-subnets-b"),
            C("deletion_protection", "change", False, True),
            C("deletion_protection", "remove", True, ABSENT),
            C("backup_retention_period", "change", 7, 14),
            C("backup_retention_period", "remove", 7, ABSENT),
        ],
    },
    "aws_s3_bucket": {
        "base": {"bucket": "app-bucket-a", "force_destroy": False},
        "cases": [
            *CAR("bucket", "app-bucket-a", "app-bucket-b", ("change", "remove")),
            C("force_destroy", "change", False, True),
            C("force_destroy", "add", ABSENT, True),
            C("force_destroy", "remove", True, ABSENT),
            *CAR("object_lock_enabled", False, True),
        ],
    },
    "aws_dynamodb_table": {
        "base": {
            "name": "app-table-a", "billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "range_key": "sk",
            "attribute": [{"name": "id", "type": "S"}, {"name": "sk", "type": "S"}],
            "deletion_protection_enabled": False,
            "point_in_time_recovery": [{"enabled": True}],
            "server_side_encryption": [{"enabled": True, "kms_key_arn": K1}],
        },
        # computed-only values AWS reports for such a table (no stream)
        "state": {"stream_view_type": "", "stream_arn": "", "stream_label": ""},
        "cases": [
            C("name", "change", "app-table-a", "app-table-b"),
            C("hash_key", "change", "id", "pk",
              after_extra={"attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}]}),
            C("range_key", "change", "sk", "sk2",
              after_extra={"attribute": [{"name": "id", "type": "S"}, {"name": "sk2", "type": "S"}]}),
            C("range_key", "add", ABSENT, "sk", before_extra={"attribute": [{"name": "id", "type": "S"}]}),
            C("range_key", "remove", "sk", ABSENT, after_extra={"attribute": [{"name": "id", "type": "S"}]}),
            # the cloud-platform dynamodb module passes range_key = "" when there is none
            C("range_key", "add_from_empty", "", "sk", before_extra={"attribute": [{"name": "id", "type": "S"}]}),
            C("billing_mode", "change", "PAY_PER_REQUEST", "PROVISIONED",
              after_extra={"read_capacity": 5, "write_capacity": 5}),
            C("billing_mode", "add", ABSENT, "PAY_PER_REQUEST",
              before_extra={"read_capacity": 5, "write_capacity": 5}),
            C("billing_mode", "remove", "PAY_PER_REQUEST", ABSENT,
              after_extra={"read_capacity": 5, "write_capacity": 5}),
            C("deletion_protection_enabled", "change", False, True),
            C("deletion_protection_enabled", "add", ABSENT, True),
            C("deletion_protection_enabled", "remove", True, ABSENT),
            *CAR("point_in_time_recovery.enabled", True, False, ("change",)),
            *CAR("point_in_time_recovery.enabled", False, True, ("add", "remove")),
            *CAR("server_side_encryption.kms_key_arn", K1, K2),
        ],
    },
    "aws_elasticache_replication_group": {
        "base": {
            "replication_group_id": "app-redis-a", "description": "app redis", "engine": "redis",
            "engine_version": "7.1", "node_type": "cache.t3.micro", "num_cache_clusters": 2,
            "automatic_failover_enabled": True, "at_rest_encryption_enabled": "true",
            "transit_encryption_enabled": True, "kms_key_id": K1, "snapshot_retention_limit": 7,
            "subnet_group_name": "app-cache-subnets-a",
        },
        "cases": [
            C("replication_group_id", "change", "app-redis-a", "app-redis-b"),
            C("engine", "change", "redis", "valkey", base={"engine_version": ABSENT}),
            C("engine_version", "change", "7.0", "7.1"),
            C("engine_version", "remove", "7.1", ABSENT),
            C("node_type", "change", "cache.t3.micro", "cache.t3.small"),
            C("at_rest_encryption_enabled", "change", "false", "true", base={"kms_key_id": ABSENT}),
            C("at_rest_encryption_enabled", "add", ABSENT, "true", base={"kms_key_id": ABSENT}),
            C("at_rest_encryption_enabled", "remove", "true", ABSENT, base={"kms_key_id": ABSENT}),
            C("transit_encryption_enabled", "change", False, True),
            C("transit_encryption_enabled", "remove", True, ABSENT),
            *CAR("kms_key_id", K1, K2),
            *CAR("snapshot_name", "app-redis-snap-a", "app-redis-snap-b", ("add", "change", "remove")),
            C("snapshot_retention_limit", "change", 7, 14),
            C("snapshot_retention_limit", "remove", 7, ABSENT),
            *CAR("subnet_group_name", "app-cache-subnets-a", "app-cache-subnets-b"),
            C("num_cache_clusters", "change", 2, 3),
            # the cloud-platform elasticache module derives preferred_cache_cluster_azs from
            # number_cache_clusters and rotates auth_token through a random_id keeper
            *CAR("preferred_cache_cluster_azs", ["eu-west-2a", "eu-west-2b"], ["eu-west-2a", "eu-west-2b", "eu-west-2c"]),
            C("auth_token", "change", "mock-auth-token-aaaaaaaaaaaaaaaa", "mock-auth-token-bbbbbbbbbbbbbbbb"),
        ],
    },
    "aws_opensearch_domain": {
        "base": {
            "domain_name": "app-search-a", "engine_version": "OpenSearch_2.13",
            "cluster_config": [{"instance_type": "t3.small.search", "instance_count": 1}],
            "ebs_options": [{"ebs_enabled": True, "volume_size": 10, "volume_type": "gp3"}],
            "encrypt_at_rest": [{"enabled": True, "kms_key_id": K1}],
            "vpc_options": [{"subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"], "security_group_ids": ["sg-0aaaaaaaaaaaaaaaa"]}],
        },
        "cases": [
            C("domain_name", "change", "app-search-a", "app-search-b"),
            C("engine_version", "change", "OpenSearch_2.13", "OpenSearch_2.15"),
            C("engine_version", "remove", "OpenSearch_2.13", ABSENT),
            C("encrypt_at_rest.enabled", "change", False, True, base={"encrypt_at_rest": [{}]}),
            C("encrypt_at_rest.enabled", "add", ABSENT, True, base={"encrypt_at_rest": [{}]}),
            C("encrypt_at_rest.enabled", "remove", True, ABSENT, base={"encrypt_at_rest": [{}]}),
            C("encrypt_at_rest.enabled", "disable", True, False, base={"encrypt_at_rest": [{}]}),
            *CAR("encrypt_at_rest.kms_key_id", K1, K2),
            C("ebs_options.volume_size", "change", 10, 20),
            C("cluster_config.instance_type", "change", "t3.small.search", "m6g.large.search"),
            C("vpc_options.subnet_ids", "change", ["subnet-0aaaaaaaaaaaaaaaa"], ["subnet-0bbbbbbbbbbbbbbbb"]),
            *CAR("vpc_options.subnet_ids", ["subnet-0aaaaaaaaaaaaaaaa"], ["subnet-0aaaaaaaaaaaaaaaa"],
                 ("add", "remove"), base={"vpc_options": [{}]}),
        ],
    },
    "aws_dms_replication_instance": {
        "base": {
            "replication_instance_id": "app-dms-a", "replication_instance_class": "dms.t3.medium",
            "engine_version": "3.5.3", "kms_key_arn": K1, "replication_subnet_group_id": "app-dms-subnets-a",
            "availability_zone": "eu-west-2a", "allocated_storage": 50, "multi_az": False,
        },
        "cases": [
            C("replication_instance_id", "change", "app-dms-a", "app-dms-b"),
            C("engine_version", "change", "3.5.3", "3.5.4"),
            C("engine_version", "remove", "3.5.3", ABSENT),
            *CAR("kms_key_arn", K1, K2),
            *CAR("replication_subnet_group_id", "app-dms-subnets-a", "app-dms-subnets-b"),
            *CAR("availability_zone", "eu-west-2a", "eu-west-2b"),
            C("allocated_storage", "change", 50, 100),
            C("allocated_storage", "remove", 50, ABSENT),
            C("multi_az", "change", False, True, base={"availability_zone": ABSENT}),
            C("multi_az", "remove", True, ABSENT, base={"availability_zone": ABSENT}),
        ],
    },
    "aws_mq_broker": {
        "base": {
            "broker_name": "app-mq-a", "engine_type": "ActiveMQ", "engine_version": "5.18",
            "host_instance_type": "mq.t3.micro", "deployment_mode": "SINGLE_INSTANCE", "storage_type": "ebs",
            "auto_minor_version_upgrade": True, "authentication_strategy": "simple",
            "encryption_options": [{"kms_key_id": K1, "use_aws_owned_key": False}],
            "subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"],
            "user": [{"username": "admin", "password": "mock-password-1234"}],
        },
        "cases": [
            C("broker_name", "change", "app-mq-a", "app-mq-b"),
            C("engine_type", "change", "ActiveMQ", "RabbitMQ"),
            C("engine_version", "change", "5.17", "5.18"),
            *CAR("deployment_mode", "SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ", ("change",),
                 after_extra={"subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]}),
            C("deployment_mode", "add", ABSENT, "SINGLE_INSTANCE"),
            C("deployment_mode", "remove", "SINGLE_INSTANCE", ABSENT),
            C("storage_type", "change", "ebs", "efs"),
            C("storage_type", "remove", "ebs", ABSENT),
            *CAR("encryption_options.kms_key_id", K1, K2),
            C("authentication_strategy", "change", "simple", "ldap"),
            C("authentication_strategy", "remove", "simple", ABSENT),
            *CAR("subnet_ids", ["subnet-0aaaaaaaaaaaaaaaa"], ["subnet-0bbbbbbbbbbbbbbbb"]),
        ],
    },
    "aws_cognito_user_pool": {
        "base": {"name": "app-users-a", "deletion_protection": "INACTIVE", "alias_attributes": ["email"]},
        "cases": [
            C("name", "change", "app-users-a", "app-users-b"),
            *CAR("alias_attributes", ["email"], ["email", "preferred_username"]),
            *CAR("username_attributes", ["email"], ["email", "phone_number"], base={"alias_attributes": ABSENT}),
            *CAR("deletion_protection", "INACTIVE", "ACTIVE"),
        ],
    },
    "aws_secretsmanager_secret": {
        "base": {"name": "app-secret-a", "kms_key_id": K1, "recovery_window_in_days": 30},
        "cases": [
            *CAR("name", "app-secret-a", "app-secret-b", ("change", "remove")),
            *CAR("kms_key_id", K1, K2),
            *CAR("recovery_window_in_days", 30, 7),
        ],
    },
}


# ---------------------------------------------------------------- config building

def set_path(cfg, path, value):
    """Set (or delete, value ABSENT) a dotted path; dots descend into the first
    element of a nested block list. A nested block left empty is dropped."""
    parts = path.split(".")
    if len(parts) == 1:
        if value is ABSENT:
            cfg.pop(parts[0], None)
        else:
            cfg[parts[0]] = copy.deepcopy(value)
        return
    head, rest = parts[0], ".".join(parts[1:])
    blocks = cfg.get(head) or [{}]
    blk = copy.deepcopy(blocks[0])
    set_path(blk, rest, value)
    if blk:
        cfg[head] = [blk] + copy.deepcopy(blocks[1:])
    else:
        cfg.pop(head, None)


def apply_overrides(cfg, overrides):
    for k, v in overrides.items():
        set_path(cfg, k, v)
    return cfg


def case_configs(tdef, case):
    base = apply_overrides(copy.deepcopy(tdef["base"]), case["base"])
    before = apply_overrides(copy.deepcopy(base), {})
    set_path(before, case["path"], case["before"])
    apply_overrides(before, case["before_extra"])
    after = copy.deepcopy(base)
    set_path(after, case["path"], case["after"])
    apply_overrides(after, case["after_extra"])
    # a nested block emptied by an override (e.g. {"encrypt_at_rest": [{}]}) is not written
    for cfg in (before, after):
        for k in list(cfg):
            if cfg[k] == [{}]:
                del cfg[k]
    return before, after


def config_json(rtype, resources):
    return {"resource": {rtype: resources}}


def sensitive_paths(block, value, prefix=()):
    """Paths of the schema's sensitive attributes, in the state's
    sensitive_attributes format: without them Terraform 1.11 sees a change of
    sensitivity and plans an `update` even when no value changes."""
    out = []
    value = value or {}
    for name, attr in block.get("attributes", {}).items():
        if attr.get("sensitive"):
            out.append(list(prefix) + [{"type": "get_attr", "value": name}])
    for name, bt in block.get("block_types", {}).items():
        v = value.get(name)
        if not v:
            continue
        step = list(prefix) + [{"type": "get_attr", "value": name}]
        if bt["nesting_mode"] == "list":
            for i, e in enumerate(v):
                out += sensitive_paths(bt["block"], e, step + [{"type": "index", "value": {"value": i, "type": "number"}}])
        elif bt["nesting_mode"] == "set":
            if any(sensitive_paths(bt["block"], e) for e in v):
                out.append(step)  # a set element cannot be addressed: the whole set is marked
        elif bt["nesting_mode"] == "single":
            out += sensitive_paths(bt["block"], v, step)
    return out


SCHEMAS = {}


def state_json(rtype, schema_version, instances):
    return {
        "version": 4, "terraform_version": "1.11.4", "serial": 1,
        "lineage": "00000000-0000-0000-0000-00000000d71f", "outputs": {},
        "resources": [
            {"mode": "managed", "type": rtype, "name": name, "provider": PROVIDER_ADDR,
             "instances": [{"schema_version": schema_version, "attributes": attrs, "sensitive_attributes": sensitive_paths(SCHEMAS[rtype]["block"], attrs)}]}
            for name, attrs in instances.items()
        ],
        "check_results": None,
    }


# ---------------------------------------------------------------- placeholders for unknowns

def placeholder(ty, name):
    if ty == "string":
        if name == "id":
            return "mock-id"
        if name.endswith("arn"):
            return "arn:aws:mock:eu-west-2:123456789012:mock/" + name
        return "mock-" + name.replace("_", "-")
    if ty == "number":
        return 0
    if ty == "bool":
        return False
    if isinstance(ty, list):
        kind = ty[0]
        if kind in ("list", "set"):
            return []
        if kind == "map":
            return {}
        if kind == "object":
            return {k: placeholder(t, k) for k, t in ty[1].items()}
        if kind == "tuple":
            return [placeholder(t, name) for t in ty[1]]
    return None


def fill_value(value, unknown, ty, name):
    if unknown is True:
        return placeholder(ty, name)
    if isinstance(ty, list) and isinstance(unknown, (list, dict)) and value is not None:
        kind = ty[0]
        if kind in ("list", "set") and isinstance(value, list) and isinstance(unknown, list):
            return [fill_value(v, unknown[i] if i < len(unknown) else False, ty[1], name) for i, v in enumerate(value)]
        if kind == "map" and isinstance(value, dict):
            return {k: fill_value(v, unknown.get(k, False), ty[1], k) for k, v in value.items()}
        if kind == "object" and isinstance(value, dict):
            return {k: fill_value(value.get(k), unknown.get(k, False), t, k) for k, t in ty[1].items()}
    return value


def fill_block(value, unknown, block):
    value = value or {}
    unknown = unknown if isinstance(unknown, dict) else {}
    out = {}
    for name, attr in block.get("attributes", {}).items():
        out[name] = fill_value(value.get(name), unknown.get(name, False), attr["type"], name)
    for name, bt in block.get("block_types", {}).items():
        v, u = value.get(name), unknown.get(name, False)
        mode = bt["nesting_mode"]
        if mode in ("list", "set"):
            if u is True or v is None:
                out[name] = []
            else:
                out[name] = [fill_block(e, u[i] if isinstance(u, list) and i < len(u) else {}, bt["block"])
                             for i, e in enumerate(v)]
        elif mode == "single":
            out[name] = None if (u is True or v is None) else fill_block(v, u, bt["block"])
        else:  # map nesting: not used by these types
            out[name] = v
    return out


# ---------------------------------------------------------------- terraform plumbing

class TF:
    def __init__(self, root):
        self.root = root
        self.cli = os.path.join(root, "cli.tfrc")
        with open(self.cli, "w") as f:
            f.write(CLI_CONFIG)
        self.data_dir = os.path.join(root, "tfdata")
        self.init_dir = os.path.join(root, "init")
        os.makedirs(self.init_dir)
        self.env = dict(os.environ, TF_CLI_CONFIG_FILE=self.cli, TF_IN_AUTOMATION="1",
                        TF_INPUT="0", CHECKPOINT_DISABLE="1", TF_DATA_DIR=self.data_dir)
        self.env.pop("TF_LOG", None)
        with open(os.path.join(self.init_dir, "provider.tf"), "w") as f:
            f.write(PROVIDER_TF)
        self.run(["init", "-input=false", "-no-color", "-backend=false"], self.init_dir, check=True)
        self.lock = os.path.join(self.init_dir, ".terraform.lock.hcl")
        schema = json.loads(self.run(["providers", "schema", "-json"], self.init_dir, check=True).stdout)
        self.schemas = schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
        SCHEMAS.update(self.schemas)
        self.counter = 0

    def run(self, args, cwd, check=False, log=None):
        env = self.env
        if log:
            env = dict(env, TF_LOG_PROVIDER="DEBUG", TF_LOG_PATH=log)
        p = subprocess.run(["terraform"] + args, cwd=cwd, env=env, capture_output=True, text=True)
        if check and p.returncode != 0:
            sys.exit("terraform %s failed in %s:\n%s%s" % (" ".join(args), cwd, p.stdout, p.stderr))
        return p

    def workdir(self):
        self.counter += 1
        d = tempfile.mkdtemp(prefix="w%04d-" % self.counter, dir=self.root)
        with open(os.path.join(d, "provider.tf"), "w") as f:
            f.write(PROVIDER_TF)
        shutil.copy(self.lock, os.path.join(d, ".terraform.lock.hcl"))
        return d

    def plan(self, config, state, calls=None):
        """Returns (plan_json_or_None, error_text_or_None). If `calls` is a list,
        the AWS API operations the provider tried during the plan are appended."""
        d = self.workdir()
        try:
            with open(os.path.join(d, "main.tf.json"), "w") as f:
                json.dump(config, f, indent=2)
            if state is not None:
                with open(os.path.join(d, "terraform.tfstate"), "w") as f:
                    json.dump(state, f, indent=2)
            log = os.path.join(d, "provider.log") if calls is not None else None
            p = self.run(["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=p"], d, log=log)
            if log and os.path.exists(log):
                with open(log, errors="replace") as f:
                    calls.extend(api_calls(f.read()))
            if p.returncode != 0:
                return None, (p.stderr or p.stdout)
            s = self.run(["show", "-json", "-no-color", "p"], d)
            if s.returncode != 0:
                return None, (s.stderr or s.stdout)
            return json.loads(s.stdout), None
        finally:
            shutil.rmtree(d, ignore_errors=True)


def api_calls(log):
    """AWS operations the provider attempted, from its DEBUG log (aws-sdk-go v1 and v2 styles)."""
    ops = []
    for line in log.splitlines():
        if "HTTP Request Sent" not in line and "DEBUG: Request" not in line:
            continue
        svc = re.search(r'rpc\.service="?([^" ]+)', line)
        meth = re.search(r'rpc\.method="?([^" ]+)', line) or re.search(r'aws\.operation="?([^" ]+)', line)
        if meth:
            op = "%s.%s" % (svc.group(1), meth.group(1)) if svc else meth.group(1)
        else:
            op = "unidentified request: " + line.strip()[:200]
        if op not in ops:
            ops.append(op)
    return ops


def first_error_line(text):
    for line in text.splitlines():
        m = re.match(r"^\s*(?:│\s*)?Error:\s*(.*)$", line)
        if m:
            return m.group(1).strip()
    lines = [l.strip("│ ").strip() for l in text.splitlines() if l.strip("│ ").strip()]
    return lines[0] if lines else "unknown error"


def keyof(cfg):
    return hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:12]


# ---------------------------------------------------------------- main flow

def derive_states(tf, rtype, befores, state_overrides=None):
    """befores: {key: config}. Returns ({key: state attrs}, {key: problem})."""
    block = tf.schemas[rtype]["block"]
    states, problems = {}, {}
    state_overrides = state_overrides or {}

    def from_plan(plan, name_of):
        for rc in plan.get("resource_changes", []):
            key = name_of.get(rc["name"])
            if key is None:
                continue
            ch = rc["change"]
            attrs = fill_block(ch["after"], ch["after_unknown"], block)
            if "id" in attrs and attrs["id"] in (None, "mock-id"):
                attrs["id"] = "mock-id-" + key
            states[key] = attrs

    names = {"b_" + k: k for k in befores}
    plan, err = tf.plan(config_json(rtype, {n: befores[k] for n, k in names.items()}), None)
    if plan is not None:
        from_plan(plan, names)
    else:  # one bad config spoils a batch: fall back to one plan each
        for n, k in names.items():
            p1, e1 = tf.plan(config_json(rtype, {n: befores[k]}), None)
            if p1 is None:
                problems[k] = "before config does not plan as a create: " + first_error_line(e1)
            else:
                from_plan(p1, {n: k})
    for k in states:
        states[k].update(copy.deepcopy(state_overrides))
    # baseline: the before config against the derived state must be a no-op. A
    # provider may normalise a placeholder (e.g. upper-case it); such a value,
    # for an attribute the configuration does not set, is taken from the
    # baseline plan into the state and the baseline is tried again (3 rounds).
    ver = tf.schemas[rtype]["version"]
    pending = [k for k in befores if k in states]
    for round_ in range(3):
        if not pending:
            break
        cfg = config_json(rtype, {"b_" + k: befores[k] for k in pending})
        st = state_json(rtype, ver, {"b_" + k: states[k] for k in pending})
        plan, err = tf.plan(cfg, st)
        if plan is None:
            for k in pending:
                problems[k] = "baseline plan failed: " + first_error_line(err)
            break
        again = []
        for rc in plan.get("resource_changes", []):
            k = rc["name"][2:]
            ch = rc["change"]
            if ch["actions"] == ["no-op"]:
                problems.pop(k, None)
                continue
            b, a = ch["before"] or {}, ch["after"] or {}
            diff = sorted(x for x in set(b) | set(a) if b.get(x) != a.get(x))
            problems[k] = "baseline not a no-op: %s %s" % (ch["actions"], diff)
            settle = [x for x in diff if x not in befores[k] and ch["after_unknown"].get(x) in (None, False)]
            if settle and settle == diff:
                for x in settle:
                    states[k][x] = a.get(x)
                again.append(k)
        pending = again
    return states, problems


def case_file(rtype, case, ext="json"):
    return os.path.join(rtype, "%s-%s.%s" % (case["path"], case["transition"], ext))


def run_type(tf, rtype, tdef, jobs):
    ver = tf.schemas[rtype]["version"]
    cases = []
    befores = {}
    for case in tdef["cases"]:
        before, after = case_configs(tdef, case)
        k = keyof(before)
        befores[k] = before
        cases.append((case, k, after))
    states, problems = derive_states(tf, rtype, befores, tdef.get("state", {}))
    os.makedirs(os.path.join(OUT, rtype), exist_ok=True)

    def one(item):
        case, k, after = item
        jpath = os.path.join(OUT, case_file(rtype, case))
        epath = os.path.join(OUT, case_file(rtype, case, "error.txt"))
        for p in (jpath, epath):
            if os.path.exists(p):
                os.remove(p)
        if k in problems:
            with open(epath, "w") as f:
                f.write("Error: %s\n(no plan was made for this case)\n" % problems[k])
            return case, "error", problems[k]
        calls = []
        plan, err = tf.plan(config_json(rtype, {"this": after}),
                            state_json(rtype, ver, {"this": states[k]}), calls)
        cpath = os.path.join(OUT, case_file(rtype, case, "api-calls.txt"))
        if os.path.exists(cpath):
            os.remove(cpath)
        if calls:
            with open(cpath, "w") as f:
                f.write("# AWS API operations the provider attempted while planning this case (offline: all failed)\n")
                f.write("".join(c + "\n" for c in calls))
        if plan is None:
            with open(epath, "w") as f:
                f.write(err)
            return case, "error", first_error_line(err)
        with open(jpath, "w") as f:
            json.dump(plan, f, indent=2)
            f.write("\n")
        rc = plan["resource_changes"][0]["change"]
        return case, "ok", "%s %s" % (rc["actions"], rc.get("replace_paths", []))

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for case, status, msg in ex.map(one, cases):
            print("%-36s %-40s %-7s %s" % (rtype, case["path"] + "-" + case["transition"], status, msg), flush=True)


def build_summary():
    """summary.json from the files under fixtures/plans only."""
    summary = {}
    for rtype in sorted(os.listdir(OUT)):
        d = os.path.join(OUT, rtype)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if fn.endswith(".api-calls.txt"):
                continue
            if fn.endswith(".error.txt"):
                stem, kind = fn[: -len(".error.txt")], "error"
            elif fn.endswith(".json"):
                stem, kind = fn[: -len(".json")], "json"
            else:
                continue
            arg, _, transition = stem.rpartition("-")
            rel = "%s/%s" % (rtype, fn)
            if kind == "error":
                with open(os.path.join(d, fn)) as f:
                    entry = {"error": first_error_line(f.read()), "file": rel}
            else:
                with open(os.path.join(d, fn)) as f:
                    plan = json.load(f)
                ch = [rc for rc in plan["resource_changes"] if rc["address"] == rtype + ".this"][0]["change"]
                entry = {"actions": ch["actions"], "replace_paths": ch.get("replace_paths", []), "file": rel}
                side = os.path.join(d, stem + ".api-calls.txt")
                if os.path.exists(side):
                    with open(side) as f:
                        entry["api_calls_attempted"] = [l.strip() for l in f if l.strip() and not l.startswith("#")]
                    entry["api_calls_file"] = "%s/%s.api-calls.txt" % (rtype, stem)
            summary.setdefault(rtype, {}).setdefault(arg, {})[transition] = entry
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    return summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated resource types")
    ap.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    ap.add_argument("--summary-only", action="store_true")
    args = ap.parse_args()
    if not args.summary_only:
        only = [t for t in args.only.split(",") if t]
        root = tempfile.mkdtemp(prefix="drlint-plans-")
        try:
            tf = TF(root)
            for rtype, tdef in TYPES.items():
                if only and rtype not in only:
                    continue
                if not only and os.path.isdir(os.path.join(OUT, rtype)):
                    shutil.rmtree(os.path.join(OUT, rtype))
                run_type(tf, rtype, tdef, args.jobs)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    build_summary()


if __name__ == "__main__":
    main()
