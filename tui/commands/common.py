"""Small helpers the sub-commands share: reading inputs and writing outputs the same way everywhere."""

import json
import sys

from tui.policy.errors import InputError
from tui.report.i18n import N_, _

SOURCE_WORDS = (N_("file"), N_("policy file"), N_("answers file"), N_("cases file"), N_("organization file"))
"""What `_source` may name (the callers' `what`), translated where it is said."""


def _source(path: str, what: str) -> str:
    return _("standard input") if path == "-" else _("{what} {path!r}").format(what=_(what), path=path)


def read_text(path: str, what: str = "file") -> str:
    """A file, or standard input for `-`, read bounded (see tui.policy.parsing); one-line error otherwise."""
    from tui.policy.parsing import read_file_text, read_stdin_text

    return read_stdin_text() if path == "-" else read_file_text(path, _source(path, what))


def read_json(path: str, what: str, max_depth: int = 16):
    """A JSON file with no duplicate keys or non-finite numbers, nested at most `max_depth` levels (the
    tool's own formats nest a few; 16 leaves room and stays far below Python's recursion limit)."""
    from tui.policy.parsing import strict_json

    return strict_json(read_text(path, what), _source(path, what), max_depth=max_depth)


def read_parsed_policy(path: str):
    """A policy document and its ambiguities, for commands that report them (validate, simulate)."""
    return read_policy_and_text(path)[0]


def read_policy_and_text(path: str):
    """(the parsed policy, its text): reports place findings on the text's lines."""
    from tui.policy.parsing import parse_policy

    text = read_text(path, "policy file")
    return parse_policy(text, _source(path, "policy file")), text


def read_policy(path: str) -> dict:
    """A policy document to act on; exit 2 when it is unreadable, not a JSON object, or ambiguous."""
    from tui.policy.parsing import refuse_ambiguities

    return refuse_ambiguities(read_parsed_policy(path), _source(path, "policy file")).doc


def write_output(text: str, output: str | None) -> None:
    """Print to stdout, or save privately (0600): policies name trusted accounts."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from tui.policy.files import write_private

    try:
        write_private(output, text)
    except OSError as exc:
        raise InputError(_("cannot write {path!r}: {reason}").format(path=output, reason=exc.strerror or exc)) from None


REPORT_FORMATS = ("text", "json", "sarif")


def add_report_options(parser, json_help: str) -> None:
    """--format, its --json alias, and --waivers: the options of the commands that report findings."""
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text",
                        help=_("output: text (default), json, or sarif (SARIF 2.1.0 for CI code scanning)"))
    parser.add_argument("--json", action="store_true", help=_("{help} (same as --format json)").format(help=json_help))
    parser.add_argument("--waivers", metavar="FILE", help=_("JSON file of accepted findings (code, file or endpoint, "
                        "reason, expiry date): they stay listed but no longer fail the run until they expire"))


def report_format(args) -> str:
    """The output format; `--json` is `--format json` (and sets args.json for code that reads it)."""
    if args.json and args.format not in ("text", "json"):
        raise InputError(_("--json and --format {format} disagree: give one of them").format(format=args.format))
    args.format = "json" if args.json else args.format
    args.json = args.format == "json"
    return args.format


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
