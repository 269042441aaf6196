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


def translate(exc: BaseException, action: str | None = None) -> AwsError:
    """Map a botocore exception to an AwsError whose message names the fix; unknown ones keep AWS's own text.
    URLs in the message are redacted (`redact_url`): an endpoint URL may carry a password or a token.
    `action` says what was being done, worded (`Phrase("aws-action", ...)`) or an API name; by default
    "the AWS call"."""
    from tui.report.messages import Phrase

    error = _translated(exc, Phrase("aws-action", {"variant": "default"}) if action is None else action)
    redacted = redact_urls(str(error))
    return error if redacted == str(error) else type(error)(redacted)


def _translated(exc: BaseException, action: str) -> AwsError:
    from botocore import exceptions as bce

    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return _said("no-credentials")
    if isinstance(exc, (bce.TokenRetrievalError, bce.SSOTokenLoadError)):
        return _said("sso-expired")
    if isinstance(exc, bce.ProfileNotFound):
        return _said("profile", error=exc)
    if isinstance(exc, bce.NoRegionError):
        return _said("no-region", kind=NoRegionError)
    if isinstance(exc, (bce.UnknownEndpointError, bce.InvalidRegionError)):
        return _said("unknown-region", error=exc)
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectionError)):
        return _said("unreachable", endpoint=_endpoint_of(exc))
    if isinstance(exc, bce.ClientError):
        return _from_client_error(exc, action)
    if isinstance(exc, bce.BotoCoreError):
        return _said("failed", action=action, error=exc)
    return _said("failed-type", action=action, type=type(exc).__name__, error=exc)


def _said(variant: str, kind: type[AwsError] = AwsError, **params: object) -> AwsError:
    """An AwsError whose message is a `Phrase` (tui/report/messages.py): English as its text (logs, `--json`),
    said in the reader's language where it is shown. AWS's own words are parameters, with URLs redacted."""
    from tui.report.messages import Phrase

    return kind(Phrase("aws", {"variant": variant, **{name: _redacted(value) for name, value in params.items()}}))


def _redacted(value: object) -> str:
    """A parameter with its URLs redacted: a worded one (what was being done) stays worded, its own parameters
    redacted, so it is still said in the reader's language."""
    from tui.report.messages import Phrase

    if isinstance(value, Phrase):
        return Phrase(value.code, {name: _redacted(inner) for name, inner in value.params.items()}, value.table)
    return redact_urls(str(value))


def _endpoint_of(exc: BaseException) -> str:
    from tui.report.messages import Phrase

    return getattr(exc, "kwargs", {}).get("endpoint_url", Phrase("aws-action", {"variant": "unknown-endpoint"}))


def _from_client_error(exc, action: str) -> AwsError:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    message = error.get("Message", "") or code
    operation = getattr(exc, "operation_name", "") or action
    if code in _EXPIRED:
        return _said("rejected", code=code)
    if code in _DENIED:
        return _said("denied", operation=operation, code=code)
    if code in _THROTTLED:
        return _said("throttled", operation=operation, code=code)
    if code == "InvalidVpcEndpointId.NotFound":
        return _said("endpoint-not-found", message=message.rstrip("."))
    if code == "InvalidVpcEndpointId.Malformed":
        return _said("endpoint-malformed", message=message.rstrip("."))
    return _said("client-error", operation=operation, code=code, message=message)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError, or '' for anything else."""
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code", "") if isinstance(response, dict) else ""
