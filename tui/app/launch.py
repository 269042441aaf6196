"""`vpce-wizard` without a sub-command: load the saved session if any, build the app the tests build, run it."""

import argparse

from tui.app.app import create_app
from tui.app.config import load_settings
from tui.policy.answers import load_answers
from tui.report.i18n import LANGUAGES, resolve_language


def wizard_language(option: str | None) -> str:
    """`--lang`, else the language last chosen in the wizard's palette, else the locale environment's."""
    remembered = load_settings().get("language")
    if option is None and remembered in LANGUAGES:
        return remembered
    return resolve_language(option)


def launch(args: argparse.Namespace) -> int:
    """Run the wizard until the user quits; a bad --answers file fails before the screen opens."""
    answers = load_answers(args.answers) if args.answers else None
    app = create_app(answers, profile=args.profile, region=args.region, endpoint_url=args.endpoint_url, sandbox=args.sandbox,
                     language=wizard_language(getattr(args, "lang", None)), emulator=getattr(args, "emulator", None))
    app.run()
    return app.return_code or 0
