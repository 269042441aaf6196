"""The English text of every finding, keyed by its stable code: one place to read, review and translate.
Each template is marked `N_` for the Japanese catalog (tui/locale); `localised` speaks the current language.

Findings carry a code and parameters, never a finished sentence, so each renderer (text, Rich, JSON, SARIF)
and each language formats them the same way. Templates use `str.format` named fields (`{value!r}`,
`{size:,}`). A finding whose text depends on a variant (the element is missing rather than wrong) names it
in the parameter `variant`, which selects the template `"code (variant)"`.

A parameter may itself be worded from the catalogs (a `Phrase`: who the caller is, the question the solver
could not decide, a validator finding nested in an analyser's), a word of our data files (a `Term`: a bucket
catalog title) or a list of those (a `Listing`): each is filled in the language of the sentence it sits in, so
no English fragment is left inside a Japanese sentence, and the English stays exactly as it was.

Codes are API: JSON and SARIF outputs, waivers and CI filters name them. Rename one only with a migration.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from tui.report.i18n import N_, _

if TYPE_CHECKING:
    from tui.policy.scenarios import Scenario

VALIDATOR_MESSAGES: Mapping[str, str] = {
    # reading the text
    "json-syntax": N_("{detail}"),
    "duplicate-key": N_("key {key!r} appears more than once in one object: JSON readers disagree on which one counts "
                     "(here the last)"),
    "non-finite-number": N_("the number {number} is not a finite number (NaN, Infinity, overflow, or an integer of more "
                         "than 4,300 digits)"),
    # the document's shape (the JSON Schema)
    "schema": N_("{detail}"),
    "schema (type)": N_("{value} is not of type {types}"),
    "schema (unexpected-one)": N_("Additional properties are not allowed ({unexpected} was unexpected)"),
    "schema (unexpected-many)": N_("Additional properties are not allowed ({unexpected} were unexpected)"),
    "schema (required)": N_("{property} is a required property"),
    "schema (non-empty)": N_("{value} should be non-empty"),
    "schema (const)": N_("{expected} was expected"),
    "schema (enum)": N_("{value} is not one of {choices}"),
    "bad-version": N_('Version must be "2012-10-17" (or the older "2008-10-17")'),
    "bad-effect": N_('Effect must be "Allow" or "Deny"'),
    "bad-effect (missing)": N_('Effect is missing: Effect must be "Allow" or "Deny"'),
    "bad-principal": N_('Principal must be "*" or a map such as {{"AWS": [...]}}; AWS refuses a bare ARN'),
    # the whole document
    "missing-version": N_('the policy has no Version; add "Version": "2012-10-17"'),
    "old-version": N_("Version 2008-10-17 is the older grammar: policy variables such as ${{aws:username}} stay plain text"),
    "policy-too-large": N_("the policy is {size:,} characters minified, over AWS's limit of {limit:,}"),
    "lone-surrogate": N_("{text!r} holds a lone surrogate escape (\\ud800-\\udfff), which is not a character"),
    "duplicate-sid": N_("Sid {sid!r} is already used by an earlier statement"),
    "full-access": N_("allows every action on every resource to anyone, from any account: the endpoint is no perimeter"),
    # statements
    "not-principal": N_('NotPrincipal is refused: with Allow it can admit anonymous callers; use "Principal": "*" and '
                        "conditions"),
    "missing-principal": N_('an endpoint policy statement needs a Principal; use "Principal": "*" and restrict it with '
                            "conditions"),
    "account-principal": N_('principal {principal!r} matches only the root user on gateway endpoints; use "Principal": "*" '
                            "with an aws:PrincipalAccount condition"),
    "action-and-not-action": N_("a statement has Action or NotAction, not both"),
    "resource-and-not-resource": N_("a statement has Resource or NotResource, not both"),
    "missing-action": N_("the statement has no Action (or NotAction)"),
    "missing-resource": N_("the statement has no Resource (or NotResource)"),
    "bad-action": N_('{value!r} is not service:ActionName (letters, digits, hyphens, * and ?) or "*"'),
    "bad-resource": N_('{value!r} is not an ARN (arn:partition:service:region:account:resource) or "*"'),
    "wildcard-bucket": N_("{resource!r} has a wildcard bucket name and no condition: anyone can create a matching "
                       "bucket and receive data through this endpoint; list exact bucket ARNs"),
    "list-bucket-on-objects": N_("s3:ListBucket applies to bucket ARNs (arn:aws:s3:::bucket), but every resource here is "
                              "an object ARN, so listing stays denied"),
    # conditions
    "non-ascii-condition-operator": N_("{operator!r} has non-ASCII characters; IAM's operator names are ASCII, so this "
                                    "is a look-alike"),
    "unknown-condition-operator": N_("{operator!r} is not an IAM condition operator"),
    "unknown-condition-operator (null-if-exists)": N_("{operator!r} is not an IAM condition operator (Null takes no "
                                                   "IfExists)"),
    "non-ascii-condition-key": N_("{key!r} has non-ASCII characters in its name; condition key names are ASCII, so this "
                               "is a look-alike that matches nothing"),
    "numeric-operator-on-sensitive-key": N_("{key} holds an identifier: AWS refuses numeric operators on it"),
    "non-ascii-identifier": N_("{key} takes AWS identifiers, which are ASCII: {value!r} (full-width digits or a "
                            "look-alike) matches no request"),
    "wildcard-in-sensitive-key": N_("{key} takes exact identifiers only; AWS refuses the wildcard in {value!r}"),
    "wildcard-needs-literals": N_("{value!r}: AWS requires at least {min_literals} literal characters right before or "
                               "after each wildcard"),
    "for-all-values-single-valued": N_("ForAllValues on single-valued {key} is true when the key is absent, so this "
                                    "Allow also matches requests without it; drop the prefix"),
    # the wizard's review of the chosen answers
    "unverified-partition": N_("bucket names for {title!r} are not verified in {region}'s partition; confirm them "
                            "before applying"),
    "write-exception": N_("{title!r} lets anyone on the network write ({actions}) to a bucket outside your accounts: "
                       "a path for data to leave; keep it only where that service needs it"),
    "third-party-buckets": N_("{title!r} opens buckets owned by a third party, not AWS: you trust that owner's bucket "
                           "policies"),
    "service-caveat": N_("{warning} (see {source})"),
    "aws-owned-buckets-blocked": N_("{detail}"),  # worded by tui.policy.exceptions, as the analyser words it
}
"""What `validate` (and the wizard's review) says, by finding code."""

ANALYSIS_MESSAGES: Mapping[str, str] = {
    # what stands beside the proof
    "invalid-policy": N_("{code}: {location}{detail}"),
    "ambiguous-document": N_("AWS's reading of this policy is unknown ({doubts}); the findings below hold for one "
                             "reading only"),
    "unreadable": N_("the stored policy cannot be read, so nothing can be proven about it: {detail}"),
    "no-policy-support": N_("{reason}"),
    # what could not be proven
    "unproven (beyond-solver)": N_("the policy holds characters beyond U+2FFFF, which the solver cannot represent: "
                                   "nothing can be proven about it"),
    "unproven (inconsistent-model)": N_("the request model for this endpoint is inconsistent (an endpoint id, VPC id or "
                                        "trusted value no request can carry), so nothing can be proven"),
    "unproven (canonical-user)": N_("a statement names an S3 canonical user ID (CanonicalUser), an AWS account this "
                                    "tool cannot identify offline: whom it admits or refuses is not proven"),
    "unproven (caller-not-modelled)": N_("the request model cannot hold {who}, so whether it is locked out is not "
                                         "proven"),
    "unproven (resource-limit)": N_("the solver could not decide {question} within its resource limit"),
    "unproven (no-replay)": N_("{question}: the request the solver found ({action} on {resource}) evaluates to "
                               "{outcome}, so the policy's reading is not certain (an undecidable condition or policy "
                               "variable)"),
    # the questions
    "wildcard-bucket (anonymous-write)": N_("lets anonymous callers write to {pattern}: anyone can create a bucket "
                                            "matching that name, and request keys carry data out"),
    "wildcard-bucket (anonymous-read)": N_("lets anonymous callers read {pattern}: anyone can create a bucket matching "
                                           "that name, and request keys carry data out"),
    "wildcard-bucket": N_("lets {who} read {pattern}: anyone can create a bucket matching that name, and request keys "
                          "carry data out"),
    "not-asked": N_("the policy is proven open by this request, so the other questions (lock-out, foreign resources, "
                    "AWS-owned buckets) were not asked"),
    "foreign-principals": N_("admits principals outside the trusted set: {who} may call {action} on {resource}"),
    "foreign-writes": N_("lets {who} write to {pattern} ({action}): an exfiltration path"),
    "foreign-resources": N_("lets trusted callers reach resources outside the trusted set: {action} on a resource of "
                            "account {account}"),
    "no-resource-perimeter": N_("identity perimeter only: trusted callers can reach any account's resources (no "
                                "aws:ResourceAccount/ResourceOrgID condition)"),
    "lock-out (denied)": N_("{who} would be refused {action} through this endpoint (denied by {statements})"),
    "lock-out (not-allowed)": N_("{who} would be refused {action} through this endpoint (no statement allows it)"),
    "aws-owned-buckets-blocked": N_("{detail}"),  # worded by tui.policy.exceptions
    # intended exceptions in use
    "aws-owned-exception": N_("anonymous reads of {title} ({id}) are allowed: an intended exception from the bucket "
                              "catalog"),
    "service-principal-exception": N_("AWS service principals (aws:PrincipalIsAWSService) are admitted: an intended "
                                      "exception"),
    "write-exception": N_("anyone may write ({actions}) to {title} ({id}): a write exception from the bucket catalog; "
                          "what is written there leaves your accounts"),
    "template-exception": N_("anonymous {actions} on resources of the trusted accounts are allowed: {title} ({service} "
                             "template entry {id}), an intended exception ({source})"),
}
"""What the analyser (`check`, `audit`, the wizard's proof) says, by finding code: its own table, since a code
such as `wildcard-bucket` means a proven request here and a grammar remark in the validator."""

PHRASES: Mapping[str, str] = {
    # who a witness request comes from (`tui.policy.analysis.describe_caller`, the lock-out question)
    "caller (anonymous)": N_("anonymous callers"),
    "caller (account)": N_("account {account}"),
    "caller (any)": N_("any caller"),
    "caller (trusted)": N_("a trusted principal"),
    "caller (yours)": N_("your caller {caller}"),
    "caller-arn (not-arn)": N_("caller ARN {arn!r} is not an ARN such as arn:aws:sts::111122223333:assumed-role/ROLE/SESSION"),
    "caller-arn (kind)": N_("caller ARN {arn!r} is not an assumed-role, federated-user, user or root ARN"),
    # the questions the solver is asked: `unproven` names the one it could not decide
    "question (outsiders-admitted)": N_("whether outsiders are admitted"),
    "question (outsiders-write-named)": N_("whether outsiders may write to a named resource"),
    "question (outsiders-read-wildcard-bucket)": N_("whether outsiders may read a wildcard bucket name"),
    "question (foreign-resources)": N_("whether trusted callers reach foreign resources"),
    "question (lock-out)": N_("whether {who} may call {action}"),
    "question (anonymous-read)": N_("whether anonymous readers reach {arn}"),
    "question (service-principals)": N_("whether AWS service principals are admitted"),
    "question (template-exception)": N_("whether {title} is admitted"),
    "question (many-values)": N_("requests carrying more than {count} values of {key}"),
    # default AWS-owned buckets a policy blocks (`tui.policy.exceptions.bucket_entries_blocked_message`)
    "buckets-blocked": N_("{consequences}: anonymous reads of these AWS-owned buckets are denied: {buckets}; add them "
                          "from the bucket catalog"),
    "fails (al2023)": N_("dnf on Amazon Linux 2023 fails"),
    "fails (al2)": N_("yum on Amazon Linux 2 fails"),
    "fails (al1)": N_("yum on Amazon Linux 1 fails"),
    "fails (agents)": N_("AWS agents fail to download what they need"),
    "catalog-entry": N_("{title} ({id})"),
    # what made AWS's reading of a document unknown (`ambiguous-document`)
    "doubt": N_("{path}: {detail}"),
    "doubt (document)": N_("document: {detail}"),
    # why an endpoint takes no policy (`tui.aws.discovery`)
    "no-policy (type)": N_("{type} endpoints take no policy"),
    "no-policy (partner)": N_("partner or private endpoint service (com.amazonaws.vpce.*): AWS allows full access and takes "
                              "no policy"),
    "no-policy (unsupported)": N_("the service does not support endpoint policies: AWS allows full access"),
    # input refused: answers, connection, backups and rollback (tui.policy.answers, tui.aws.session/backups/rollback)
    "answers (unknown-service)": N_("unknown service {service!r} (see `vpce-wizard catalog --services`)"),
    "answers (no-service)": N_("choose at least one service"),
    "answers (no-trust)": N_("give at least one trusted account ID or organization ID"),
    "answers (not-object)": N_("{source} is not a JSON object"),
    "answers (unknown-keys)": N_("{source} has unknown key(s): {keys}"),
    "answers (perimeter-bool)": N_("{source}: resource_perimeter must be true or false"),
    "answers (region-str)": N_("{source}: region must be a string"),
    "answers (list-of-strings)": N_("{source}: {key} must be a list of strings"),
    "session (endpoint-url)": N_("endpoint URL {url!r} is not of the form https://host[:port] (from --endpoint-url or "
                                 "AWS_ENDPOINT_URL)"),
    "session (no-region)": N_("no AWS region: pass --region or set AWS_REGION (or a region in the profile)"),
    "backups (none)": N_("no backup of {endpoint} in {directory}: list them with `vpce-wizard backups`"),
    "backups (refused)": N_("refusing backup {path!r}: {problem}"),
    "backups (locked)": N_("another vpce-wizard has been writing {endpoint} for over {seconds:.0f} s (lock {path})"),
    "backups (not-backup)": N_("{source} is not a vpce-wizard backup: {problem}"),
    "backups (folder-unreadable)": N_("cannot check {path!r}: {reason}"),
    "backups (folder-not-folder)": N_("{path!r} is not a folder (a symlink or file was put there): move it away and retry"),
    "backups (folder-unsafe)": N_("refusing to use {path!r}, someone else could plant backups there: {problem}"),
    "backup-problem (unreadable)": N_("it cannot be read: {reason}"),
    "backup-problem (not-regular)": N_("it is not a regular file"),
    "backup-problem (not-object)": N_("not a JSON object"),
    "backup-problem (malformed)": N_("its {name} is missing or malformed"),
    "backup-problem (no-region)": N_("its region {region!r} does not exist"),
    "backup-problem (bad-time)": N_("its time is not a date"),
    "backup-problem (not-policy)": N_("its {name} is missing or not a policy object"),
    "backup-problem (other-endpoint)": N_("it holds a backup of {endpoint}, not of the endpoint its name says"),
    # why a file or folder someone else could write is not trusted (`tui.policy.files.why_unsafe`)
    "unsafe (owner)": N_("it is owned by uid {uid}, not by you: move it away (vpce-wizard makes its own)"),
    "unsafe (writable)": N_("it is writable by {who} (mode {mode:o}): run `chmod {private_mode:o} {path}`"),
    "writable-by (group)": N_("group"),
    "writable-by (others)": N_("others"),
    "writable-by (both)": N_("group and others"),
    # what a file read by tui/aws is, as errors name it (`tui.policy.parsing`'s `source`)
    "source (plan)": N_("plan {path!r}"),
    "source (plan-endpoint)": N_("plan {path!r} endpoint {index}"),
    "source (backup)": N_("backup {path!r}"),
    "source (accounts-file)": N_("accounts file {path!r}"),
    "source (answers-file)": N_("answers file {path!r}"),
    "source (waivers-file)": N_("waivers file {path}"),
    "source (stdin)": N_("standard input"),
    # a waivers file that is not one (tui.report.waivers)
    "waivers (shape)": N_("{source}: {where}: {detail}"),
    "waivers (one-of)": N_('give exactly one of "file" (a policy file) or "endpoint" (an endpoint ID)'),
    "waivers (not-allowed)": N_("{extra} not allowed here (allowed: {allowed})"),
    "waivers (bad-date)": N_("{source}: waivers[{index}].expires: {value} is not a date (YYYY-MM-DD)"),
    "waivers-where (document)": N_("the document"),
    # saved plans (tui.aws.plans)
    "plans (write-failed)": N_("cannot write plan {path!r}: {reason}"),
    "plans (not-object)": N_("{where} is not an object"),
    "plans (endpoint-fields)": N_("{where} needs account, region, endpoint_id, current_sha256 (64 hex) and a policy object"),
    "plans (not-regular)": N_("cannot read plan {path!r}: not a regular file"),
    "plans (read-failed)": N_("cannot read plan {path!r}: {reason}"),
    "plans (too-large)": N_("plan {path!r} is larger than {mib} MiB"),
    "plans (not-plan)": N_("{path!r} is not a vpce-wizard plan (format {format})"),
    "plans (empty)": N_("plan {path!r} holds no endpoint to change"),
    # rollout waves (tui.aws.waves)
    "waves (one-wave)": N_("the waves cover every target in one wave: give two or more --wave files (or --canary N)"),
    "waves (canary-min)": N_("--canary needs a number of accounts of at least 1"),
    "wave-problem (not-held)": N_("{endpoint}: does not hold the planned policy when read back"),
    "wave-problem (target)": N_("{target}: {problem}"),
    "wave-problem (re-audit)": N_("{target}: re-audit failed: {error}"),
    "wave-problem (new-finding)": N_("{endpoint}: new {severity} finding {code}: {message}"),
    "waves (canary-all)": N_("--canary {count} covers all {accounts} target account(s): nothing would wait for it"),
    "rollback (other-endpoint)": N_("backup {path!r} is of {backup_endpoint}, not {endpoint}"),
    "rollback (no-previous)": N_("backup {path!r} holds no previous policy; use --default to restore AWS's default"),
    "rollback (other-account)": N_("the backup was taken in account {backup_account}, but you are connected to {account}: "
                                   "use the matching --profile"),
    "rollback (other-region)": N_("the backup {path!r} is of {endpoint} in {backup_region}, but you are connected to "
                                  "{region}: pass --region {backup_region}"),
    # input refused by the core and the AWS layer (tui.policy.engines/cloudtrail/impact/renderers/catalog/builder,
    # tui.aws.trail/fanout/sandbox)
    "runbook (no-region)": N_("no region to build the runbook for: give --region (repeatable)"),
    "runbook (too-large)": N_("the runbook is {size:,} bytes, over SSM's {limit:,}: make one per region or per service"),
    "runbook (no-targets)": N_("name the target accounts or OUs of the run: --accounts A,B or --ou ou-... (repeatable)"),
    "import (no-endpoints)": N_("no endpoint to import: none found in the targets (check --service, --region and the targets)"),
    "trail-files (none-under)": N_("no CloudTrail log files (.json, .json.gz) under {path!r}"),
    "trail-files (missing)": N_("no such file or folder: {path!r}"),
    # what `impact` suggests for a group of records, or why it could not decide (tui.policy.impact)
    "impact-hint (catalog)": N_("catalog {entry}"),
    "impact-hint (trust-org)": N_("trust org {org}"),
    "impact-hint (trust-account)": N_("trust account {account}"),
    "impact-hint (unknown)": N_("unknown: {keys}"),
    "impact-hint (unknown-org-keys)": N_("unknown: {keys} (pass --org-accounts)"),
    "impact-hint (unknown-org)": N_("unknown: organization of account {account} (pass --org-accounts)"),
    "impact-hint (the-resource)": N_("the resource"),
    # why a CloudTrail log file was skipped (tui.policy.cloudtrail)
    "log-problem (too-large)": N_("larger than {limit:,} characters uncompressed"),
    "log-problem (expected)": N_("expected {what} at character {offset:,}, found {found}"),
    "log-problem (expected-end)": N_("expected {what} at character {offset:,}, found 'the end'"),
    "log-problem (record-too-large)": N_("a record is malformed or larger than {limit:,} characters"),
    "log-problem (malformed)": N_("truncated or malformed JSON at character {offset:,}: {reason}"),
    "log-problem (decompress)": N_("cannot decompress: {error}"),
    "log-problem (not-utf8)": N_("not UTF-8 text"),
    "log-problem (too-deep)": N_("JSON nested too deeply"),
    "log-problem (separator)": N_("expected ',' or ']' between records, found {found}"),
    "log-problem (separator-end)": N_("expected ',' or ']' between records, found 'the end'"),
    "log-problem (unreadable)": N_("cannot read: {reason}"),
    "log-problem (interrupted)": N_("download interrupted: {error}"),
    "log-problem (not-a-record)": N_("event {event} is not a JSON record: skipped"),
    "log-problem (wrong-types)": N_("{count:,} record(s) with fields of the wrong type skipped"),
    "log-what (object)": N_("a JSON object"),
    "log-what (records)": N_("the Records array"),
    "impact (no-policy)": N_("a policy is needed unless only denials are grouped"),
    "impact (since)": N_("--since {value!r} is not a duration such as 7d, 24h, 30m or a date such as 2026-11-01"),
    "impact (org-not-object)": N_("expected a JSON object"),
    "impact (org-in)": N_("{source}: {error}"),
    "impact (org-shape)": N_('{source}: expected {{"o-...": [account IDs]}} or `aws organizations list-accounts` output'),
    "renderers (unknown-format)": N_("unknown format {format!r} (choose from {formats})"),
    "renderers (no-region)": N_("a CloudFormation export needs the region the policies were built for"),
    "catalog (unknown-id)": N_("unknown public bucket catalog id {id!r} (known: {known})"),
    "builder (unknown-service)": N_("unknown service {service!r}"),
    "builder (no-policy)": N_("service {service!r} takes no endpoint policy: AWS allows full access through it"),
    "builder (too-large)": N_("the {service} policy is {size:,} characters minified, over AWS's {limit:,} limit by {over:,}; "
                              "trust an Organization ID (--org-id) instead of listing accounts"),
    "sandbox (unavailable)": N_("the sandbox needs the optional AWS emulator ({missing} is not installed): pip install "
                                "'vpce-wizard[sandbox]' (from a checkout: pip install -e '.[sandbox]')"),
    "trail-bucket": N_("--trail-bucket {url!r} is not of the form s3://bucket/prefix"),
    "fanout (role-name)": N_("--role-name {value!r} is not an IAM role name (1-64 of letters, digits and +=,.@_-)"),
    "fanout (external-id)": N_("--external-id must be 2-1224 of letters, digits and +=,.@:/_-"),
    "fanout (max-errors)": N_("--max-errors {value!r} is not a count (e.g. 3) or a percentage (e.g. 10%)"),
    "sandbox (start-timeout)": N_("the sandbox did not start within {seconds:.0f} s"),
    "sandbox (unexpected)": N_("the sandbox's emulator gave an unexpected answer"),
    "sandbox (bad-port)": N_("port {port} is not between 0 and 65535: pick another --port, or leave it out for a free one"),
    "sandbox (cannot-listen)": N_("cannot listen on {host}:{port} ({reason}): pick another --port, or leave it out for a free one"),
    "sandbox (port-timeout)": N_("the sandbox did not start on {host}:{port} within {seconds:.0f} s: pick another --port, or "
                                 "leave it out"),
    # organization targets (tui.aws.fanout, tui.aws.rollout)
    "progress": N_("accounts: {done} done, {failed} failed, {left} left"),
    "iac-owner (cloudformation)": N_("CloudFormation stack {stack}"),
    "iac-owner (terraform)": N_("Terraform (tagged)"),
    "iac-advice (cloudformation)": N_("owned by {owner}: its next update puts the template's PolicyDocument back; put the "
                                      "policy in the template (`vpce-wizard generate --format cloudformation`)"),
    "iac-advice (terraform)": N_("managed by {owner}: the next `terraform apply` reverts it; adopt it instead (`vpce-wizard "
                                 "export --format terraform-import`)"),
    "region-mismatch": N_("the policy names AWS-owned buckets of {other} ({arn}), not of {region}: build each region's "
                          "policy from answers (--answers FILE or --account/--public-bucket flags) instead of one --policy file"),
    "region-mismatch (more)": N_("the policy names AWS-owned buckets of {other} ({arn} and {more} more), not of {region}: "
                                 "build each region's policy from answers (--answers FILE or --account/--public-bucket "
                                 "flags) instead of one --policy file"),
    "targets (assume-failed)": N_("cannot assume {role}: {error}"),
    "targets (skipped)": N_("not started: more than {allowed} target(s) failed (--max-errors)"),
    "targets (not-changed)": N_("{bad} of {count} endpoint(s) not changed: {endpoint}: {reason}"),
    "targets (not-ou)": N_("{value!r} is not an organizational unit ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)"),
    "targets (accounts-neither)": N_("--accounts {value!r} is neither a comma-separated list of account IDs nor a file"),
    "targets (accounts-empty)": N_("--accounts {value!r} names no account"),
    "targets (none)": N_("no target account in {source}: {why}; nothing was audited or changed"),
    "target-source (org)": N_("the organization"),
    "target-source (ou)": N_("organizational unit {ou}"),
    "target-source (caller)": N_("the caller"),
    "no-target (excluded)": N_("every account found is excluded"),
    "no-target (none-active)": N_("no ACTIVE account found"),
    # AWS failures, each with what to do (`tui.aws.errors.translate`)
    "aws (no-credentials)": N_("no AWS credentials found: run `aws configure`, `aws sso login`, or pass --profile"),
    "aws (sso-expired)": N_("the SSO session has expired or is missing: run `aws sso login` (with --profile if you use one)"),
    "aws (profile)": N_("{error}: check --profile / AWS_PROFILE against `aws configure list-profiles`"),
    "aws (no-region)": N_("no AWS region: pass --region or set AWS_REGION"),
    "aws (unknown-region)": N_("unknown region: {error}; pass a region such as eu-west-1"),
    "aws (unreachable)": N_("cannot reach the AWS endpoint ({endpoint}): check the network, proxy, --region and --endpoint-url"),
    "aws (failed)": N_("{action} failed: {error}"),
    # what was being done when an AWS call failed (the `action` of `tui.aws.errors.translate`)
    "aws-action (default)": N_("the AWS call"),
    "aws-action (unknown-endpoint)": N_("unknown endpoint"),
    "aws-action (reading-endpoints)": N_("reading endpoints in {region}"),
    "aws-action (listing-endpoints)": N_("listing endpoints in {region}"),
    "aws-action (listing-bucket)": N_("listing s3://{bucket}/{prefix}"),
    "aws-action (list-accounts)": N_("organizations:ListAccounts (run from the management or a delegated administrator "
                                     "account)"),
    "aws-action (list-ou)": N_("organizations:ListAccountsForParent on {ou}"),
    "aws-action (in-target)": N_("in {target}"),
    "aws-action (trail-bucket)": N_("reading the trail's bucket"),
    "aws (failed-type)": N_("{action} failed: {type}: {error}"),
    "aws (rejected)": N_("the AWS credentials were rejected or have expired ({code}): refresh them (`aws sso login`, new "
                         "keys) and retry"),
    "aws (denied)": N_("access denied to {operation} ({code}): grant the permissions listed in docs/aws.md, or use another "
                       "--profile"),
    "aws (throttled)": N_("AWS throttled {operation} ({code}) even after retries: wait a minute and retry, or target fewer "
                          "regions"),
    "aws (endpoint-not-found)": N_("{message}: check the endpoint ID and --region"),
    "aws (endpoint-malformed)": N_("{message}: endpoint IDs look like vpce-0123456789abcdef0"),
    "aws (client-error)": N_("{operation} failed ({code}): {message}"),
    # why IAM Access Analyzer gave no answer (`tui.aws.access_analyzer`)
    "analyzer (sandbox)": N_("skipped: the sandbox (moto) has no IAM Access Analyzer (its server answers HTTP 500 to every "
                             "Access Analyzer call)"),
    "analyzer (offline)": N_("skipped: offline; pass --access-analyzer (with credentials) to ask IAM Access Analyzer as well"),
    "analyzer (more-findings)": N_("more than {count} findings: the rest were not read"),
    "analyzer (denied)": N_("not asked: access denied ({code}): grant access-analyzer:{operation} to use this second opinion"),
    "analyzer (throttled)": N_("not asked: Access Analyzer throttled {operation} ({code}) even after retries: try again later"),
    "analyzer (unreachable)": N_("not asked: IAM Access Analyzer cannot be reached in {region} (not offered there, or no "
                                 "network)"),
    "analyzer (unavailable)": N_("not asked: IAM Access Analyzer is not available in {region} ({code})"),
    "analyzer (refused)": N_("not asked: Access Analyzer refused the document ({code}){detail}"),
    "analyzer (error)": N_("not asked: {error}"),
}
"""Pieces of sentences (a `Phrase`'s code), worded here for the same reasons as the findings."""

OUTCOME_MESSAGES: Mapping[str, str] = {
    # why a planned change will not be made (`PlannedChange.refusal`)
    "endpoint-missing": N_("{endpoint} {why}"),
    "not-found": N_("not found in {region}"),
    "not-found (hint)": N_("not found in {region}: check the endpoint ID and --region"),
    "takes-no-policy": N_("{endpoint} takes no policy: {why}"),
    "policy-errors": N_("the policy has {count} error(s), first: {location}{detail}"),
    "policy-errors (rollback)": N_("{first}; it was on the endpoint before: use --force to restore it anyway"),
    "guard (lock-out)": N_("it would lock you out: {detail}; use --force to apply anyway"),
    "guard (unproven)": N_("its effect cannot be proven: {detail}; use --force to apply anyway"),
    "changed-since-saved": N_("the policy of {endpoint} changed since the plan was saved; nothing was written: save a "
                              "new plan and review it"),
    "changed-since-backup": N_("{endpoint} no longer holds the policy written at {time}: it was changed since; roll it "
                               "back by hand (`vpce-wizard rollback --endpoint {endpoint} --backup {path}`)"),
    # warnings a change carries (`PlannedChange.warnings`)
    "validator-warning": N_("{path}: {detail}"),
    "guard-finding": N_("{code}: {detail}"),
    "forced-restore": N_("restoring it despite the validator (--force): {first}"),
    "dry-run-ignored": N_("the API ignored DryRun (emulators do); the probe re-sent the current policy, so nothing changed"),
    "reset-ignored": N_("ResetPolicy was ignored (the emulator does this); sent the default document instead"),
    # how each endpoint ended (`EndpointOutcome.reason`)
    "written": N_("written and read back"),
    "already-holds": N_("already holds this policy"),
    "would-write": N_("would write the new policy; permission check passed"),
    "same-since-preview": N_("another writer applied this same policy since the preview"),
    "changed-since-preview": N_("another writer changed the policy of {endpoint} since the preview; nothing was written: "
                                "review it again"),
    "nothing-written": N_("{error}; nothing was written"),
    "lock-failed": N_("cannot lock the endpoint for writing: {error}; nothing was written"),
    "not-allowed": N_("not allowed to modify {endpoint} (UnauthorizedOperation): grant ec2:ModifyVpcEndpoint; nothing "
                      "was written"),
    "backup-failed": N_("cannot write the backup ({error}); nothing was written"),
    "read-back-failed": N_("written, but the read-back failed ({error}): check it with `vpce-wizard audit`; backup kept"),
    "state-unknown": N_("{error}; its state is unknown: check it with `vpce-wizard audit`; backup kept"),
    "write-reported-error": N_("the write reported {error}, but the endpoint holds the new policy"),
    "still-old (after-error)": N_("{error}; the endpoint still holds the old policy"),
    "still-old": N_("read-back differs from what was written: the endpoint still holds the old policy; see "
                    "`vpce-wizard audit --region {region}`"),
    "neither (after-error)": N_("{error}; the endpoint holds a policy that is neither the old nor the new one: another "
                                "writer got in"),
    "neither": N_("another writer replaced our write: the endpoint holds neither our policy nor the one we replaced; "
                  "review it with `vpce-wizard audit --region {region}`"),
}
"""What apply and rollback say about each endpoint (`tui.aws.apply.Reason` names the codes): one table for the
CLI, the wizard and `--json` (which keeps the English)."""

WAIVER_MESSAGES: Mapping[str, str] = {
    "waived": N_("waived until {expires}: {reason}"),
    "waiver-expired": N_("waiver expired on {expires}: {reason}"),
}
"""How a waived finding is annotated in text output."""


Table = Literal["validator", "analysis", "phrases", "outcomes"]
TABLES: Mapping[Table, Mapping[str, str]] = {"validator": VALIDATOR_MESSAGES, "analysis": ANALYSIS_MESSAGES,
                                             "phrases": PHRASES, "outcomes": OUTCOME_MESSAGES}


class Wording(str):
    """Text whose value is its English (so JSON, f-strings, comparisons and caches see exactly the English they
    always saw) and that can say itself in the current language, as the sentence around it is said."""

    def localised(self) -> str:
        return str(self)


class Phrase(Wording):
    """A parameter worded from a table like a finding (a code, its parameters, maybe a `variant`)."""

    code: str
    params: Mapping[str, object]
    table: Table

    def __new__(cls, code: str, params: Mapping[str, object] | None = None, table: Table = "phrases") -> "Phrase":
        params = dict(params or {})
        self = super().__new__(cls, message(code, params, TABLES[table]))
        self.code, self.params, self.table = code, params, table
        return self

    def localised(self) -> str:
        return localised(self.code, self.params, TABLES[self.table])

    def __reduce__(self) -> tuple[type["Phrase"], tuple[str, Mapping[str, object], Table]]:
        """Copied and pickled as what it is made of (str's own way would pass the English as the code)."""
        return Phrase, (self.code, self.params, self.table)


class Term(Wording):
    """A word of our own data files that the catalog translates (`babel.cfg`: the bucket catalog's titles)."""

    def localised(self) -> str:
        return _(str(self))


class Listing(Wording):
    """Parameters joined by a separator that is a message too (`"; "` is `"。"` in Japanese)."""

    parts: tuple[object, ...]
    separator: str

    def __new__(cls, parts: Sequence[object], separator: str = ", ") -> "Listing":
        self = super().__new__(cls, separator.join(str(part) for part in parts))
        self.parts, self.separator = tuple(parts), separator
        return self

    def localised(self) -> str:
        return _(self.separator).join(text_in_language(part) for part in self.parts)

    def __reduce__(self) -> tuple[type["Listing"], tuple[tuple[object, ...], str]]:
        return Listing, (self.parts, self.separator)


def text_in_language(value: object) -> str:
    """What a renderer shows for a value: a `Wording` in the current language, anything else as it is (values
    from AWS, a file or a user are never looked up in the catalog)."""
    return value.localised() if isinstance(value, Wording) else str(value)


def error_message(exc: BaseException) -> str:
    """An error's message kept as it was raised: a `Wording` stays one (to be said in the reader's language where
    it is shown), anything else becomes its text."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Wording) else str(exc)


def error_in_language(exc: BaseException) -> str:
    """An error's message in the current language when it was raised with a `Wording` (its `str` stays English)."""
    return text_in_language(exc.args[0]) if len(exc.args) == 1 else str(exc)


LIST_SEPARATORS = (N_(", "), N_("; "))


MAX_WORDING_DEPTH = 4
"""Phrases nest (a question names a caller): deeper JSON was not written by `params_to_json`."""


def params_to_json(params: Mapping[str, object]) -> dict[str, object]:
    """Parameters as JSON that keeps what each `Wording` is made of (a cache stores findings this way, so a
    verdict read back still speaks Japanese); other values as they are."""
    return {key: _wording_to_json(value) for key, value in params.items()}


def params_from_json(data: object, depth: int = 0) -> dict[str, object]:
    """The parameters `params_to_json` wrote, checked as hostile input: TypeError, ValueError or KeyError (an
    unknown code) for anything else."""
    if not isinstance(data, dict) or depth > MAX_WORDING_DEPTH:
        raise TypeError("parameters are not an object")
    return {_checked_key(key): _wording_from_json(value, depth) for key, value in data.items()}


def _wording_to_json(value: object) -> object:
    if isinstance(value, Phrase):
        return {"phrase": value.code, "table": value.table, "params": params_to_json(value.params)}
    if isinstance(value, Listing):
        return {"listing": [_wording_to_json(part) for part in value.parts], "separator": value.separator}
    if isinstance(value, Term):
        return {"term": str(value)}
    return value


def _checked_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError("a parameter name is not a string")
    return key


def _wording_from_json(value: object, depth: int) -> object:
    if value is None or isinstance(value, str | int | bool):
        return value
    if not isinstance(value, dict):
        raise TypeError("a parameter of the wrong type")
    if set(value) == {"term"} and isinstance(value["term"], str):
        return Term(value["term"])
    if set(value) == {"listing", "separator"} and isinstance(value["listing"], list) and value["separator"] in LIST_SEPARATORS:
        return Listing([_wording_from_json(part, depth + 1) for part in value["listing"]], value["separator"])
    if set(value) == {"phrase", "table", "params"} and isinstance(value["phrase"], str) and value["table"] in TABLES:
        return Phrase(value["phrase"], params_from_json(value["params"], depth + 1), value["table"])
    raise ValueError("not a parameter params_to_json writes")


def _filled(value: object, *, localise: bool) -> object:
    """A parameter as it goes into a template: worded ones in the template's language (a plain `str` in
    English, so `!r` shows the text, not the class), others as they are."""
    if isinstance(value, Wording):
        return value.localised() if localise else str(value)
    return value


def template(code: str, params: Mapping[str, object], catalog: Mapping[str, str] = VALIDATOR_MESSAGES) -> str:
    """The English template for a code and its variant; a KeyError names a code with no text (a bug)."""
    variant = params.get("variant")
    return catalog[f"{code} ({variant})" if variant else code]


def message(code: str, params: Mapping[str, object], catalog: Mapping[str, str] = VALIDATOR_MESSAGES) -> str:
    """The English sentence for a finding."""
    return template(code, params, catalog).format_map({key: _filled(value, localise=False) for key, value in params.items()})


def localised(code: str, params: Mapping[str, object], catalog: Mapping[str, str] = VALIDATOR_MESSAGES) -> str:
    """The sentence for a finding in the current language (the English one when that is English)."""
    filled = {key: _filled(value, localise=True) for key, value in params.items()}
    return _(template(code, params, catalog)).format_map(filled)


def scenario_name(scenario: "Scenario") -> str:
    """A standard scenario's name in the current language (its values, such as a catalog title, translated too)."""
    template, values = scenario.wording
    if not template:
        return scenario.name
    return _(template).format(**{key: _(value) for key, value in values})
