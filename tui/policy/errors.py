"""Errors meant for people: every face prints the message on one line and exits with `exit_code`."""


class WizardError(Exception):
    """An expected failure with a message that says what went wrong and what to do."""

    exit_code = 1


class InputError(WizardError, ValueError):
    """A value the user gave is not acceptable; the message names the value and says why."""

    exit_code = 2
