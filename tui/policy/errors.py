"""Errors that describe bad user input, so every face can print one line instead of a traceback."""


class InputError(ValueError):
    """A value the user gave is not acceptable; the message names the value and says why."""
