"""The safe apply path and rollback against moto's server over HTTP: read-back, backups, refusals."""

import json
import os
import stat

import pytest

from tui.aws.apply import DEFAULT_POLICY, execute_plan, plan_apply
from tui.aws.backups import list_backups
from tui.aws.discovery import describe_endpoints, parse_policy
from tui.aws.rollback import plan_rollback
from tui.aws.sandbox import perimeter_policy
from tui.policy.diff import same_policy
from tui.policy.errors import InputError


def stored(conn, endpoint_id, region="eu-west-1"):
    return parse_policy(describe_endpoints(conn, region, [endpoint_id])[0]["PolicyDocument"])


def apply(conn, changes, **kwargs):
    dry_run = kwargs.pop("dry_run", False)
    return execute_plan(conn, plan_apply(conn, changes, **kwargs), dry_run=dry_run)


def test_apply_writes_reads_back_and_keeps_a_private_backup(conn, s3, perimeter):
    plan = plan_apply(conn, {s3: perimeter})
    assert plan.items[0].diff and not plan.items[0].refusal and "sandbox" in plan.label
    [outcome] = execute_plan(conn, plan)
    assert outcome.status == "applied", outcome.reason
    assert same_policy(stored(conn, s3), perimeter)
    [backup] = list_backups(s3)
    assert str(backup.path) == outcome.backup_path
    assert stat.S_IMODE(os.stat(backup.path).st_mode) == 0o600
    record = json.loads(backup.path.read_text())
    assert record["endpoint_id"] == s3 and record["region"] == "eu-west-1" and record["account"] == conn.account_id
    assert same_policy(record["old"], DEFAULT_POLICY) and same_policy(record["new"], perimeter) and record["time"]


def test_the_same_policy_again_is_unchanged_and_not_backed_up(conn, s3, perimeter):
    apply(conn, {s3: perimeter})
    reordered = {"Statement": list(reversed(perimeter["Statement"])), "Version": perimeter["Version"]}
    [outcome] = apply(conn, {s3: reordered})
    assert outcome.status == "unchanged" and len(list_backups(s3)) == 1


def test_invalid_policy_is_refused_before_any_call(conn, s3):
    invalid = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalAccount": "1111*"}}}]}
    [outcome] = apply(conn, {s3: invalid})
    assert outcome.status == "refused" and "error" in outcome.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY) and list_backups() == []


def test_locking_out_the_callers_own_account_needs_force(conn, s3):
    foreign = perimeter_policy("444455556666", "eu-west-1")
    [refused] = apply(conn, {s3: foreign})
    assert refused.status == "refused" and "--force" in refused.reason and conn.account_id in refused.reason
    assert same_policy(stored(conn, s3), DEFAULT_POLICY)
    [forced] = apply(conn, {s3: foreign}, force=True)
    assert forced.status == "applied" and any(conn.account_id in w for w in forced.warnings)


def test_planning_asks_only_the_questions_that_block_apply(conn, sandbox, s3, perimeter, monkeypatch):
    import tui.policy.analysis

    def every_question(*_):
        raise AssertionError("the apply plan ran the whole analysis")

    monkeypatch.setattr(tui.policy.analysis, "_analyse_cached", every_question)
    foreign = perimeter_policy("444455556666", "eu-west-1")
    plan = plan_apply(conn, {s3: perimeter, sandbox.endpoints[("eu-west-1", "ssm")]: foreign})
    assert not plan.items[0].refusal and "lock you out" in plan.items[1].refusal


def test_each_endpoint_gets_its_own_outcome(conn, sandbox, perimeter):
    ssm = sandbox.endpoints[("eu-west-1", "ssm")]
    outcomes = apply(conn, {sandbox.endpoints[("eu-west-1", "s3")]: perimeter, "vpce-0123456789abcdef0": perimeter, ssm: perimeter})
    assert [o.status for o in outcomes] == ["applied", "refused", "applied"]
    assert "not found" in outcomes[1].reason.lower()


def test_dry_run_writes_nothing(conn, s3, perimeter):
    seen = []
    [outcome] = execute_plan(conn, plan_apply(conn, {s3: perimeter}), dry_run=True, on_progress=seen.append)
    assert outcome.status == "dry-run" and seen == [outcome]
    assert same_policy(stored(conn, s3), DEFAULT_POLICY) and list_backups() == []


def test_endpoints_in_other_regions(conn, sandbox, perimeter):
    east = sandbox.endpoints[("us-east-1", "dynamodb")]
    [outcome] = apply(conn, {east: perimeter_policy(conn.account_id, "us-east-1")}, regions={east: "us-east-1"})
    assert outcome.status == "applied" and outcome.region == "us-east-1"


def test_rollback_restores_the_latest_backup_and_is_itself_backed_up(conn, s3, perimeter):
    apply(conn, {s3: perimeter})
    [outcome] = execute_plan(conn, plan_rollback(conn, s3))
    assert outcome.status == "applied" and same_policy(stored(conn, s3), DEFAULT_POLICY)
    newest, _first = list_backups(s3)
    assert newest.action == "rollback" and same_policy(newest.old, perimeter) and same_policy(newest.new, DEFAULT_POLICY)
    [named] = execute_plan(conn, plan_rollback(conn, s3, backup=str(newest.path)))  # undo the undo
    assert named.status == "applied" and same_policy(stored(conn, s3), perimeter)


def test_rollback_without_a_backup_says_how_to_find_one(conn, s3):
    with pytest.raises(InputError, match="vpce-wizard backups"):
        plan_rollback(conn, s3)


def test_default_on_a_gateway_uses_reset_policy_and_verifies_it(conn, s3, perimeter):
    apply(conn, {s3: perimeter})
    plan = plan_rollback(conn, s3, default=True)
    assert plan.items[0].reset
    [outcome] = execute_plan(conn, plan)
    assert outcome.status == "applied" and same_policy(stored(conn, s3), DEFAULT_POLICY)
    assert any("ResetPolicy was ignored" in w for w in outcome.warnings)  # moto ignores ResetPolicy


def test_default_on_an_interface_endpoint_resends_the_document(conn, sandbox):
    ssm = sandbox.endpoints[("eu-west-1", "ssm")]
    apply(conn, {ssm: perimeter_policy(conn.account_id, "eu-west-1")})
    plan = plan_rollback(conn, ssm, default=True)
    assert not plan.items[0].reset
    [outcome] = execute_plan(conn, plan)
    assert outcome.status == "applied" and same_policy(stored(conn, ssm), DEFAULT_POLICY)
