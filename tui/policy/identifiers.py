"""Checks for the identifiers users type: account and organization IDs, regions, bucket names and ARNs."""

import re
import unicodedata

from tui.policy.errors import InputError
from tui.policy.templates import load_template
from tui.report.i18n import N_, _

# Only ASCII digits are digits here: `\d` and str.isdigit also take full-width and other scripts' digits.
ACCOUNT_ID = re.compile(r"[0-9]{12}")
ENDPOINT_ID = re.compile(r"vpce-[0-9a-f]{8,17}")
VPC_ID = re.compile(r"vpc-[0-9a-f]{8,17}")
ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")
# S3 general-purpose bucket naming rules: 3-63 chars, lowercase letters, digits, dots and hyphens,
# starting and ending with a letter or digit.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
BUCKET_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):s3:::([^/]+)(/.*)?")


def normalise_pasted(text: str) -> tuple[str, str | None]:
    """Pasted or IME-typed text folded to its compatibility form (NFKC: full-width `１２３` becomes `123`),
    with a note to show when that changed anything, so the user sees what will be used."""
    folded = unicodedata.normalize("NFKC", text)
    if folded == text:
        return text, None
    return folded, "full-width characters were converted to ASCII (NFKC); check the values"


def _full_width_problem(value: str, pattern: re.Pattern[str], what: str) -> InputError | None:
    """A value that would match once folded was typed with an IME in full-width mode: say so."""
    if value.isascii() or not pattern.fullmatch(unicodedata.normalize("NFKC", value)):
        return None
    return InputError(_("{what} {value!r} has full-width characters: type ASCII (0-9, a-z)").format(what=_(what), value=value))


def _matching(value: str, pattern: re.Pattern[str], problem: str, what: str = "value") -> str:
    """The stripped value when the whole of it matches; else an InputError naming it. Non-ASCII never
    matches: the value goes to AWS as typed."""
    value = value.strip()
    if not value.isascii() or not pattern.fullmatch(value):
        raise _full_width_problem(value, pattern, what) or InputError(_(problem).format(value=repr(value)))
    return value


def check_account_id(value: str) -> str:
    """A 12-digit AWS account ID; wildcards are refused because account keys must be exact."""
    return _matching(value, ACCOUNT_ID, N_("account ID {value} is not 12 digits"), N_("account ID"))


def check_org_id(value: str) -> str:
    """An AWS Organizations ID such as o-a1b2c3d4e5."""
    return _matching(value, ORG_ID, N_("organization ID {value} is not of the form o-xxxxxxxxxx (10 to 32 lowercase letters or digits)"), N_("organization ID"))


def check_endpoint_id(value: str) -> str:
    """A VPC endpoint ID such as vpce-0123456789abcdef0; caught here rather than as an AWS error."""
    return _matching(value, ENDPOINT_ID, N_("endpoint ID {value} is not of the form vpce-0123456789abcdef0"), N_("endpoint ID"))


def check_vpc_id(value: str) -> str:
    """A VPC ID such as vpc-0123456789abcdef0."""
    return _matching(value, VPC_ID, N_("VPC ID {value} is not of the form vpc-0123456789abcdef0"), N_("VPC ID"))


def _partitions() -> dict[str, list[str]]:
    partitions: dict[str, list[str]] = load_template("regions.json")["partitions"]
    return partitions


def known_regions() -> list[str]:
    """Every region the tool knows, in a stable order."""
    return [region for regions in _partitions().values() for region in regions]


def check_region(value: str) -> str:
    """A region that exists; a typo here would expand bucket names nobody owns."""
    value = value.strip()
    if value not in known_regions():
        raise InputError(_("region {value!r} does not exist (e.g. us-east-1, eu-west-1)").format(value=value))
    return value


def partition_of(region: str) -> str:
    """The ARN partition (aws, aws-cn, aws-us-gov) that a region belongs to."""
    for partition, regions in _partitions().items():
        if region in regions:
            return partition
    raise InputError(_("region {value!r} does not exist").format(value=region))


def check_bucket_name(value: str) -> str:
    """An S3 bucket name: exact, since a wildcard name would admit buckets anyone can create."""
    value = value.strip()
    if "*" in value or "?" in value:
        raise InputError(_("bucket name {value!r} has a wildcard; anyone could create a matching bucket").format(value=value))
    if not value.isascii() or not BUCKET_NAME.fullmatch(value) or ".." in value:
        raise _full_width_problem(value, BUCKET_NAME, N_("bucket name")) or InputError(_("bucket name {value!r} is not a valid S3 bucket name").format(value=value))
    return value


def check_bucket_arn(value: str) -> str:
    """An exact S3 bucket or object ARN (arn:aws:s3:::bucket or arn:aws:s3:::bucket/prefix*)."""
    value = value.strip()
    match = BUCKET_ARN.fullmatch(value)
    if not match:
        raise InputError(_("bucket ARN {value!r} is not of the form arn:aws:s3:::bucket-name[/key]").format(value=value))
    try:
        check_bucket_name(match.group(2))
    except InputError as exc:
        raise InputError(_("bucket ARN {value!r}: {reason}").format(value=value, reason=exc)) from None
    return value

