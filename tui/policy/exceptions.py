"""Intended exceptions to the perimeter and what leaving them out breaks: shared by the analyser (audit,
check, the wizard's labels) and by `generate`'s summary, so the two can never word a verdict differently."""

import re
from collections.abc import Callable, Mapping, Sequence

from tui.policy.catalog import CatalogEntry, load_catalog
from tui.policy.evaluator import Request
from tui.report.messages import Listing, Phrase, Term

READ_ONLY_ACTION = re.compile(r"[a-z0-9-]+:(get|list|describe|head)[a-z0-9*?]*", re.IGNORECASE | re.ASCII)
"""Actions that read: the only ones an exception may grant to callers outside the trusted set."""
_READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head")
_REPOSITORY_ENTRIES = ("al2023", "al2", "al1")
"""Catalog entries of OS repositories: each has its own "fails" phrase (tui/report/messages.py, PHRASES)."""


def read_only_actions() -> tuple[str, ...]:
    """Patterns (`*:Get*`...) of the read-only actions, as IAM wildcards."""
    return tuple(f"*:{prefix}*" for prefix in _READ_ONLY_PREFIXES)


def reads_only(patterns: Sequence[str]) -> bool:
    """Whether every action these Action patterns match is read-only: each names the service and then a
    literal Get, List, Describe or Head (`s3:Get*`, `s3:GetObject`), so its matches all fall under
    `read_only_actions`. Wider ones (`s3:*`, `*`, `s3:G*`) are not."""
    return bool(patterns) and all(READ_ONLY_ACTION.fullmatch(pattern) for pattern in patterns)


def bucket_entries_blocked_message(entries: Sequence[CatalogEntry]) -> Phrase:
    """Names exactly what fails: AL2 blocked while AL2023 is allowed must not read "dnf will fail"."""
    consequences = [Phrase("fails", {"variant": e.id}) for e in entries if e.id in _REPOSITORY_ENTRIES]
    buckets = [Phrase("catalog-entry", {"title": Term(entry.title), "id": entry.id}) for entry in entries]
    return Phrase("buckets-blocked", {"consequences": Listing(consequences or [Phrase("fails", {"variant": "agents"})], "; "),
                                      "buckets": Listing(buckets)})


def sample_object(bucket_arn: str) -> str:
    """An object inside a `bucket/*` ARN: the repository index dnf and yum fetch first."""
    return bucket_arn[:-1] + "repodata/repomd.xml"


def anonymous_read(bucket_arn: str, context: Mapping[str, str | list[str]] | None = None) -> Request:
    """The anonymous HTTPS read of one object of a default AWS-owned bucket (dnf, yum, agent downloads)."""
    return Request("s3:GetObject", sample_object(bucket_arn),
                   {"aws:PrincipalAccount": "anonymous", "aws:SecureTransport": "true", **(context or {})})


def blocked_default_buckets(region: str, reachable: Callable[[str], bool]) -> list[tuple[CatalogEntry, list[str]]]:
    """The default AWS-owned bucket entries some of whose `bucket/*` ARNs no anonymous reader can reach, with
    those ARNs. `reachable(arn)` decides one ARN: the analyser proves it (evaluator, then solver), `generate`
    asks the evaluator about the policy it built (whose only anonymous path is the exception statement)."""
    catalog = load_catalog()
    blocked = []
    for entry_id in catalog.defaults():
        entry = catalog.get(entry_id)
        closed = [arn for arn in entry.arns(region) if arn.endswith("/*") and not reachable(arn)]
        if closed:
            blocked.append((entry, closed))
    return blocked
