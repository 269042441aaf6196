"""Targets of an organization-wide run: (account, region) pairs resolved from Organizations, an OU, a list.

Organizations answers with every account ever created, suspended and closing ones included; only ACTIVE
ones can be reached. `State` is the current field and `Status` is being retired, so `Status` is read only
when `State` is absent. Finding no account at all is an error: a clean audit of nothing would be a lie.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from tui.aws.errors import AwsError, translate
from tui.policy.errors import InputError
from tui.policy.identifiers import check_account_id, check_region
from tui.report.messages import Phrase

OU_ID = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}")
"""The pattern AWS documents for organizational unit IDs (SSM TargetLocation.ExcludeAccounts)."""
ROOT_ID = re.compile(r"r-[a-z0-9]{4,32}")


@dataclass(frozen=True, order=True)
class Target:
    """One account in one region: the unit that is reached, audited, changed and reported."""

    account: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.account}/{self.region}"


@dataclass(frozen=True)
class TargetSpec:
    """What the user asked for on the command line (or in the wizard), before anything is resolved."""

    org: bool = False
    ou: str | None = None
    accounts: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    all_regions: bool = False

    @property
    def fans_out(self) -> bool:
        """Whether accounts other than the caller's are asked for."""
        return self.org or bool(self.ou) or bool(self.accounts)


def check_ou_id(value: str) -> str:
    if not (OU_ID.fullmatch(value) or ROOT_ID.fullmatch(value)):
        raise InputError(Phrase("targets", {"variant": "not-ou", "value": value}))
    return value


def parse_accounts(value: str) -> tuple[str, ...]:
    """`A,B,...` or the path of a file with one account per line (or comma-separated; `#` starts a comment)."""
    from tui.policy.parsing import read_file_text

    if re.fullmatch(r"[0-9,\s]+", value):
        text = value
    elif Path(value).exists():
        text = read_file_text(value, Phrase("source", {"variant": "accounts-file", "path": value}))
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    else:
        raise InputError(Phrase("targets", {"variant": "accounts-neither", "value": value}))
    accounts = tuple(dict.fromkeys(check_account_id(a) for a in re.split(r"[,\s]+", text) if a))
    if not accounts:
        raise InputError(Phrase("targets", {"variant": "accounts-empty", "value": value}))
    return accounts


def is_active(account: dict) -> bool:
    """ACTIVE by `State`; the retiring `Status` only when `State` is absent."""
    state = account.get("State")
    return (state if state is not None else account.get("Status")) == "ACTIVE"


def _organizations(conn):
    return conn.client("organizations")


def organization_accounts(conn) -> list[str]:
    """Every active account of the caller's organization (ListAccounts, all pages)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = _organizations(conn).get_paginator("list_accounts").paginate()
        return [a["Id"] for page in pages for a in page.get("Accounts", []) if is_active(a)]
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, Phrase("aws-action", {"variant": "list-accounts"})) from None


def ou_accounts(conn, ou_id: str) -> list[str]:
    """Every active account in the OU and the OUs below it (ListAccountsForParent + ListChildren, all pages)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = _organizations(conn)
    accounts, pending, seen = [], [ou_id], set()
    try:
        while pending:
            parent = pending.pop()
            if parent in seen:
                continue
            seen.add(parent)
            for page in client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
                accounts += [a["Id"] for a in page.get("Accounts", []) if is_active(a)]
            for page in client.get_paginator("list_children").paginate(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"):
                pending += [child["Id"] for child in page.get("Children", [])]
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, Phrase("aws-action", {"variant": "list-ou", "ou": ou_id})) from None
    return list(dict.fromkeys(accounts))


def resolve_accounts(conn, spec: TargetSpec) -> list[str]:
    """The accounts the spec names, minus the excluded ones; an empty result is an error."""
    source: str
    if spec.org:
        accounts, source = organization_accounts(conn), Phrase("target-source", {"variant": "org"})
    elif spec.ou:
        accounts, source = ou_accounts(conn, spec.ou), Phrase("target-source", {"variant": "ou", "ou": spec.ou})
    elif spec.accounts:
        accounts, source = list(spec.accounts), "--accounts"
    else:
        accounts, source = [conn.account_id], Phrase("target-source", {"variant": "caller"})
    excluded = set(spec.exclude)
    kept = [a for a in dict.fromkeys(accounts) if a not in excluded]
    if not kept:
        why = Phrase("no-target", {"variant": "excluded" if accounts else "none-active"})
        raise AwsError(Phrase("targets", {"variant": "none", "source": source, "why": why}))
    return kept


def resolve_regions(conn, spec: TargetSpec) -> list[str]:
    """The regions asked for; --all-regions means the ones enabled for the caller's account."""
    if spec.all_regions:
        from tui.aws.discovery import enabled_regions

        return enabled_regions(conn)
    return list(dict.fromkeys(check_region(r) for r in spec.regions)) or [conn.region]


def resolve_targets(conn, spec: TargetSpec) -> list[Target]:
    """Every (account, region) pair, accounts in the order found, regions in the order given."""
    accounts = resolve_accounts(conn, spec)
    regions = resolve_regions(conn, spec)
    return [Target(account, region) for account in accounts for region in regions]
