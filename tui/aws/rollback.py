"""Rollback: restore a backup's old document, or the AWS default, through the same safe path as apply.

A rollback is itself an apply, so it is validated, diffed, probed, re-read, backed up and read back, and the
operator sees the diff and confirms it as for apply. The backup must be the user's own private file
(`tui.aws.backups`) of the same endpoint, account and region as the connection.
"""

from tui.aws.apply import DEFAULT_POLICY, ApplyPlan, plan_apply
from tui.aws.backups import Backup, latest_backup, list_backups, load_backup
from tui.aws.errors import AwsError
from tui.policy.errors import InputError
from tui.report.messages import Phrase


def _chosen_backup(endpoint_id: str, backup: str | None) -> tuple[Backup, dict]:
    """The backup to restore and its old document (a backup of an endpoint that had none cannot be restored)."""
    chosen = load_backup(backup) if backup else latest_backup(endpoint_id)
    if chosen.endpoint_id != endpoint_id:
        raise InputError(Phrase("rollback", {"variant": "other-endpoint", "path": str(chosen.path), "backup_endpoint": chosen.endpoint_id,
                                             "endpoint": endpoint_id}))
    if chosen.old is None:
        raise InputError(Phrase("rollback", {"variant": "no-previous", "path": str(chosen.path)}))
    return chosen, chosen.old


def plan_rollback(conn, endpoint_id: str, backup: str | None = None, default: bool = False, *, force: bool = False, region: str | None = None) -> ApplyPlan:
    """Plan restoring the latest (or the named) backup's old document, or with `default` the AWS default:
    ResetPolicy on gateway endpoints, the default document re-sent on interface endpoints (ResetPolicy is
    gateway-only). With `region`, a backup taken in another region is refused. `force` also restores an old
    document today's validator rejects: it was on AWS before."""
    if default:
        known = list_backups(endpoint_id)
        region = known[0].region if known else conn.region
        plan = plan_apply(conn, {endpoint_id: DEFAULT_POLICY}, force=force, regions={endpoint_id: region}, action="default")
        for item in plan.items:
            item.reset = item.endpoint.type == "Gateway"
        return plan
    chosen, old = _chosen_backup(endpoint_id, backup)
    if chosen.account != conn.account_id:
        raise AwsError(Phrase("rollback", {"variant": "other-account", "backup_account": chosen.account, "account": conn.account_id}))
    if region and chosen.region != region:
        raise InputError(Phrase("rollback", {"variant": "other-region", "path": str(chosen.path), "endpoint": endpoint_id,
                                             "backup_region": chosen.region, "region": region}))
    return plan_apply(conn, {endpoint_id: old}, force=force, regions={endpoint_id: chosen.region}, action="rollback")
