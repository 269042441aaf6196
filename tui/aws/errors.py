"""AWS failures as one line that says what to do: the CLI prints it, the wizard shows it, no traceback."""

import re

from tui.policy.errors import WizardError


class AwsError(WizardError):
    """An AWS call failed for a reason the user can act on; the message never carries credentials."""


class NoRegionError(AwsError):
    """No region came from flags, environment or profile; the wizard can fall back to the one on screen."""


_THROTTLED = {"RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "AuthFailure"}


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?[^/?#]*@")


def redact_url(url: str) -> str:
    """The URL without what may be a secret: userinfo becomes `***`, the query and fragment are dropped
    (`http://user:pw@host:8080/p?token=x` -> `http://***@host:8080/p`). Text-based, so it also works on a
    URL too malformed for urlsplit."""
    without_query = re.split(r"[?#]", url, maxsplit=1)[0]
    return _USERINFO.sub(lambda match: f"{match.group(1) or ''}***@", without_query)


def redact_urls(text: str) -> str:
    """Every URL inside a message that carries userinfo, a query or a fragment, redacted: botocore puts the
    endpoint URL in many of its messages. Other text, URLs included, is left exactly as it was."""
    return _URL.sub(lambda match: redact_url(match.group()) if re.search(r"[@?#]", match.group()) else match.group(), text)


def translate(exc: BaseException, action: str = "the AWS call") -> AwsError:
    """Map a botocore exception to an AwsError whose message names the fix; unknown ones keep AWS's own text.
    URLs in the message are redacted (`redact_url`): an endpoint URL may carry a password or a token."""
    error = _translated(exc, action)
    redacted = redact_urls(str(error))
    return error if redacted == str(error) else type(error)(redacted)


def _translated(exc: BaseException, action: str) -> AwsError:
    from botocore import exceptions as bce

    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return AwsError("no AWS credentials found: run `aws configure`, `aws sso login`, or pass --profile")
    if isinstance(exc, (bce.TokenRetrievalError, bce.SSOTokenLoadError)):
        return AwsError("the SSO session has expired or is missing: run `aws sso login` (with --profile if you use one)")
    if isinstance(exc, bce.ProfileNotFound):
        return AwsError(f"{exc}: check --profile / AWS_PROFILE against `aws configure list-profiles`")
    if isinstance(exc, bce.NoRegionError):
        return NoRegionError("no AWS region: pass --region or set AWS_REGION")
    if isinstance(exc, (bce.UnknownEndpointError, bce.InvalidRegionError)):
        return AwsError(f"unknown region: {exc}; pass a region such as eu-west-1")
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectionError)):
        return AwsError(f"cannot reach the AWS endpoint ({_endpoint_of(exc)}): check the network, proxy, --region and --endpoint-url")
    if isinstance(exc, bce.ClientError):
        return _from_client_error(exc, action)
    if isinstance(exc, bce.BotoCoreError):
        return AwsError(f"{action} failed: {exc}")
    return AwsError(f"{action} failed: {type(exc).__name__}: {exc}")


def _endpoint_of(exc: BaseException) -> str:
    return getattr(exc, "kwargs", {}).get("endpoint_url", "unknown endpoint")


def _from_client_error(exc, action: str) -> AwsError:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    message = error.get("Message", "") or code
    operation = getattr(exc, "operation_name", "") or action
    if code in _EXPIRED:
        return AwsError(f"the AWS credentials were rejected or have expired ({code}): refresh them (`aws sso login`, new keys) and retry")
    if code in _DENIED:
        return AwsError(f"access denied to {operation} ({code}): grant the permissions listed in docs/aws.md, or use another --profile")
    if code in _THROTTLED:
        return AwsError(f"AWS throttled {operation} ({code}) even after retries: wait a minute and retry, or target fewer regions")
    if code == "InvalidVpcEndpointId.NotFound":
        return AwsError(f"{message.rstrip('.')}: check the endpoint ID and --region")
    if code == "InvalidVpcEndpointId.Malformed":
        return AwsError(f"{message.rstrip('.')}: endpoint IDs look like vpce-0123456789abcdef0")
    return AwsError(f"{operation} failed ({code}): {message}")


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError, or '' for anything else."""
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code", "") if isinstance(response, dict) else ""
