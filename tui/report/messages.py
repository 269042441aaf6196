"""The English text of every finding, keyed by its stable code: one place to read, review and translate.

Findings carry a code and parameters, never a finished sentence, so each renderer (text, Rich, JSON, SARIF)
and each language formats them the same way. Templates use `str.format` named fields (`{value!r}`,
`{size:,}`). A finding whose text depends on a variant (the element is missing rather than wrong) names it
in the parameter `variant`, which selects the template `"code (variant)"`.

Codes are API: JSON and SARIF outputs, waivers and CI filters name them. Rename one only with a migration.
"""

from collections.abc import Mapping

_PRINCIPAL_STAR = 'use "Principal": "*"'

VALIDATOR_MESSAGES: Mapping[str, str] = {
    # reading the text
    "json-syntax": "{detail}",
    "duplicate-key": "key {key!r} appears more than once in one object: JSON readers disagree on which one counts "
                     "(here the last)",
    "non-finite-number": "the number {number} is not a finite number (NaN, Infinity, overflow, or an integer of more "
                         "than 4,300 digits)",
    # the document's shape (the JSON Schema)
    "schema": "{detail}",
    "bad-version": 'Version must be "2012-10-17" (or the older "2008-10-17")',
    "bad-effect": 'Effect must be "Allow" or "Deny"',
    "bad-effect (missing)": 'Effect is missing: Effect must be "Allow" or "Deny"',
    "bad-principal": 'Principal must be "*" or a map such as {{"AWS": [...]}}; AWS refuses a bare ARN',
    # the whole document
    "missing-version": 'the policy has no Version; add "Version": "2012-10-17"',
    "old-version": "Version 2008-10-17 is the older grammar: policy variables such as ${{aws:username}} stay plain text",
    "policy-too-large": "the policy is {size:,} characters minified, over AWS's limit of {limit:,}",
    "lone-surrogate": "{text!r} holds a lone surrogate escape (\\ud800-\\udfff), which is not a character",
    "duplicate-sid": "Sid {sid!r} is already used by an earlier statement",
    "full-access": "allows every action on every resource to anyone, from any account: the endpoint is no perimeter",
    # statements
    "not-principal": "NotPrincipal is refused: with Allow it can admit anonymous callers; " + _PRINCIPAL_STAR
                     + " and conditions",
    "missing-principal": "an endpoint policy statement needs a Principal; " + _PRINCIPAL_STAR
                         + " and restrict it with conditions",
    "account-principal": "principal {principal!r} matches only the root user on gateway endpoints; " + _PRINCIPAL_STAR
                         + " with an aws:PrincipalAccount condition",
    "action-and-not-action": "a statement has Action or NotAction, not both",
    "resource-and-not-resource": "a statement has Resource or NotResource, not both",
    "missing-action": "the statement has no Action (or NotAction)",
    "missing-resource": "the statement has no Resource (or NotResource)",
    "bad-action": '{value!r} is not service:ActionName (letters, digits, hyphens, * and ?) or "*"',
    "bad-resource": '{value!r} is not an ARN (arn:partition:service:region:account:resource) or "*"',
    "wildcard-bucket": "{resource!r} has a wildcard bucket name and no condition: anyone can create a matching "
                       "bucket and receive data through this endpoint; list exact bucket ARNs",
    "list-bucket-on-objects": "s3:ListBucket applies to bucket ARNs (arn:aws:s3:::bucket), but every resource here is "
                              "an object ARN, so listing stays denied",
    # conditions
    "non-ascii-condition-operator": "{operator!r} has non-ASCII characters; IAM's operator names are ASCII, so this "
                                    "is a look-alike",
    "unknown-condition-operator": "{operator!r} is not an IAM condition operator",
    "unknown-condition-operator (null-if-exists)": "{operator!r} is not an IAM condition operator (Null takes no "
                                                   "IfExists)",
    "non-ascii-condition-key": "{key!r} has non-ASCII characters in its name; condition key names are ASCII, so this "
                               "is a look-alike that matches nothing",
    "numeric-operator-on-sensitive-key": "{key} holds an identifier: AWS refuses numeric operators on it",
    "non-ascii-identifier": "{key} takes AWS identifiers, which are ASCII: {value!r} (full-width digits or a "
                            "look-alike) matches no request",
    "wildcard-in-sensitive-key": "{key} takes exact identifiers only; AWS refuses the wildcard in {value!r}",
    "wildcard-needs-literals": "{value!r}: AWS requires at least {min_literals} literal characters right before or "
                               "after each wildcard",
    "for-all-values-single-valued": "ForAllValues on single-valued {key} is true when the key is absent, so this "
                                    "Allow also matches requests without it; drop the prefix",
    # the wizard's review of the chosen answers
    "unverified-partition": "bucket names for {title!r} are not verified in {region}'s partition; confirm them "
                            "before applying",
    "write-exception": "{title!r} lets anyone on the network write ({actions}) to a bucket outside your accounts: "
                       "a path for data to leave; keep it only where that service needs it",
    "third-party-buckets": "{title!r} opens buckets owned by a third party, not AWS: you trust that owner's bucket "
                           "policies",
    "service-caveat": "{warning} (see {source})",
}
"""What `validate` (and the wizard's review) says, by finding code."""

WAIVER_MESSAGES: Mapping[str, str] = {
    "waived": "waived until {expires}: {reason}",
    "waiver-expired": "waiver expired on {expires}: {reason}",
}
"""How a waived finding is annotated in text output."""


def template(code: str, params: Mapping[str, object], catalog: Mapping[str, str] = VALIDATOR_MESSAGES) -> str:
    """The English template for a code and its variant; a KeyError names a code with no text (a bug)."""
    variant = params.get("variant")
    return catalog[f"{code} ({variant})" if variant else code]


def message(code: str, params: Mapping[str, object], catalog: Mapping[str, str] = VALIDATOR_MESSAGES) -> str:
    """The English sentence for a finding."""
    return template(code, params, catalog).format_map(params)
