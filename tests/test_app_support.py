"""Shared helpers for the wizard's Pilot tests (this module holds no tests)."""

from tui.app.app import create_app
from tui.policy.answers import Answers

SIZE = (100, 32)
ACCOUNT = "111122223333"


def offline_app(tmp_path, answers: Answers | None = None, language: str = "en"):
    """The wizard as `launch` builds it, without AWS, writing files under tmp_path, in `language`."""
    return create_app(answers, offline=True, output_dir=tmp_path, language=language)


def ready_answers(**changes) -> Answers:
    """Answers that pass every check: one trusted account, S3, the default public buckets."""
    values = {"services": ("s3",), "accounts": (ACCOUNT,), "public_buckets": ("al2023", "al2", "ssm-agent"), "region": "eu-west-1"}
    return Answers(**{**values, **changes})


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
