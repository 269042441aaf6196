"""What a request through a VPC endpoint can carry: the value formats of condition keys and which keys are
multivalued, shared by the symbolic analyser and its witnesses.

Three kinds of keys (docs/policy-model.md explains them):
- fixed by where the request flows: aws:SourceVpce, aws:SourceVpc (the endpoint's), aws:RequestedRegion (the
  endpoint's region), aws:SourceIp (absent through a VPC endpoint, reference §1.2);
- set by IAM from the identity, consistent with each other: aws:PrincipalAccount (12 digits, or `anonymous`
  on anonymous requests, where aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
  aws:PrincipalIsAWSService and aws:PrincipalTag/* are absent, reference §6), aws:PrincipalArn (names the
  account), aws:PrincipalOrgPaths (each starts with the org id), aws:PrincipalType, aws:userid...;
- chosen by the caller: TLS, headers, tags, ACLs, time as it passes, any service key: any value, or absent.
"""

import re

ANONYMOUS = "anonymous"

KEY_DOMAINS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.ASCII)
    for name, pattern in {
        "aws:principalaccount": "[0-9]{12}|anonymous",
        "aws:resourceaccount": "[0-9]{12}",
        "aws:sourceaccount": "[0-9]{12}",
        "aws:vpceaccount": "[0-9]{12}",
        "aws:principalorgid": "o-[a-z0-9]{10,32}",
        "aws:resourceorgid": "o-[a-z0-9]{10,32}",
        "aws:sourcevpce": "vpce-[0-9a-f]{8,17}",
        "aws:sourcevpc": "vpc-[0-9a-f]{8,17}",
        "aws:securetransport": "true|false",
        "aws:principalisawsservice": "true|false",
        "aws:viaawsservice": "true|false",
        "aws:multifactorauthpresent": "true|false",
        "aws:principaltype": "Account|User|FederatedUser|AssumedRole|Anonymous",
    }.items()
}
"""Formats of the values a request can carry for a key (lower-cased name); other keys take any string."""

FINITE_DOMAINS = frozenset(
    {"aws:securetransport", "aws:principalisawsservice", "aws:viaawsservice", "aws:multifactorauthpresent",
     "aws:principaltype"}
)
"""Keys whose every possible value is listed: no "any other value" class exists for them."""

MULTIVALUED_KEYS = frozenset(
    {"aws:calledvia", "aws:principalorgpaths", "aws:resourceorgpaths", "aws:tagkeys", "aws:principalservicenameslist"}
)
"""Keys whose values are sets (IAM's condition-keys reference); any key used with ForAnyValue/ForAllValues
is read as a set too."""

IDENTITY_KEYS_ABSENT_WHEN_ANONYMOUS = (
    "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:principalisawsservice",
    "aws:username", "aws:principalservicename",
)


def is_principal_tag(name: str) -> bool:
    return name.startswith("aws:principaltag/")


_FRESH_STEMS = {
    "aws:principalaccount": "999999999",
    "aws:resourceaccount": "888888888",
    "aws:sourceaccount": "777777777",
    "aws:vpceaccount": "666666666",
    "aws:principalorgid": "o-vpcewizard",
    "aws:resourceorgid": "o-vpcewizard",
    "aws:sourcevpce": "vpce-0ffff",
    "aws:sourcevpc": "vpc-0ffff",
}


def fresh_value(name: str, taken: set[str]) -> str:
    """A valid value for the key that is none of `taken`: the "any other value" of a witness."""
    stem = _FRESH_STEMS.get(name, "vpce-wizard-other-")
    width = {"aws:principalaccount": 3, "aws:resourceaccount": 3, "aws:sourceaccount": 3, "aws:vpceaccount": 3,
             "aws:principalorgid": 6, "aws:resourceorgid": 6, "aws:sourcevpce": 12, "aws:sourcevpc": 12}.get(name, 1)
    for number in range(10 ** width if width > 1 else 10 ** 6):
        candidate = f"{stem}{number:0{width}d}" if width > 1 else f"{stem}{number}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"no fresh value left for {name}")


_CANONICAL_NAMES = {
    name.lower(): name
    for name in (
        "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
        "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalType", "aws:ResourceAccount",
        "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp",
        "aws:VpcSourceIp", "aws:SecureTransport", "aws:RequestedRegion", "aws:CurrentTime", "aws:EpochTime",
        "aws:userid", "aws:username", "aws:ViaAWSService", "aws:CalledVia", "aws:SourceAccount", "aws:TagKeys",
    )
}


def canonical_key(name: str) -> str:
    """The documented spelling of a lower-cased key name, for witnesses people read."""
    return _CANONICAL_NAMES.get(name, name)
