"""`vpce-wizard` without a sub-command: load the saved session if any, build the app the tests build, run it."""

import argparse

from tui.app.app import create_app
from tui.policy.answers import load_answers


def launch(args: argparse.Namespace) -> int:
    """Run the wizard until the user quits; a bad --answers file fails before the screen opens."""
    answers = load_answers(args.answers) if args.answers else None
    app = create_app(answers, profile=args.profile, region=args.region, endpoint_url=args.endpoint_url, sandbox=args.sandbox)
    app.run()
    return app.return_code or 0
