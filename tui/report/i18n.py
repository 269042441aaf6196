"""English and Japanese through gettext: the language in use and the `_()` every message goes through.

Messages are written in English in the code, wrapped in `_()` (or marked with `N_()` where a table is built
before the language is known, then passed through `_()` where shown). The Japanese lives in
`tui/locale/ja/LC_MESSAGES/vpce_wizard.po`, read with Babel on first use and turned into a standard
`gettext.GNUTranslations`: an editable install has no build step that could compile a `.mo`, and English,
the default, loads no catalog at all, so headless commands in English stay as fast as before.

Placeholders are `str.format` fields (`{count}`); a test checks that every msgid in the code has a Japanese
entry with the same fields. Translations are our own text, never outside data: values from AWS, a file or a
user are escaped (`tui.report.escape.visible`) and filled into the translated template afterwards.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import IO

LANGUAGES = ("en", "ja")
"""The languages the product speaks; English is the source and the fallback."""
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
"""Each language in its own words, as a menu offers it."""
DEFAULT_LANGUAGE = "en"
DOMAIN = "vpce_wizard"
LOCALE_ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")
"""POSIX precedence: the first of these that is set and not empty decides."""

_language = DEFAULT_LANGUAGE


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """`ja` when the locale that governs messages is Japanese (`ja_JP.UTF-8`, `ja`), else English."""
    environ = os.environ if environ is None else environ
    for name in LOCALE_ENVIRONMENT:
        value = environ.get(name, "")
        if value:
            return "ja" if value.split(".")[0].split("_")[0].split("@")[0].lower() == "ja" else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def resolve_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang` when given, else the locale environment, else English."""
    if option in LANGUAGES:
        return option
    return language_from_environment(environ)


def language_option(argv: Sequence[str]) -> str | None:
    """The value of `--lang` in a command line, read before the parser is built (its help is translated)."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def set_language(language: str) -> None:
    """Speak `language` from now on (unknown values mean English)."""
    global _language
    _language = language if language in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _language


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    """The language's messages: Babel parses the `.po` (only here, so English never imports it)."""
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    from importlib import resources

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files("tui") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they stay English until reviewed
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def translation() -> _gettext.NullTranslations:
    """The gettext translations of the current language."""
    return _catalog(_language)


def _(message: str) -> str:
    """`message` in the current language (the English itself when there is no translation)."""
    if _language == DEFAULT_LANGUAGE:
        return message
    return translation().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    if _language == DEFAULT_LANGUAGE:
        return singular if count == 1 else plural
    return translation().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (tables built at import time)."""
    return message


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns, counting wide characters as two (`str.ljust` does not)."""
    return text + " " * max(0, width - cell_width(text))


@cache
def _wrap_pieces() -> re.Pattern[str]:
    """Spaces, runs of narrow characters, single wide ones; compiled on first use (the wide ranges take a few
    milliseconds, which the wizard's first paint does without)."""
    return re.compile(r"\s+|[^\s\u2e80-\uffef]+|[\u2e80-\uffef]")


_NO_LINE_START = "、。，．）」』！？ー:;,.!?)"
"""Japanese punctuation a line must not start with (kinsoku): it stays on the line before."""


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns: breaks at spaces, and between wide characters, which Japanese
    allows anywhere (`textwrap` counts characters and never breaks a run of kana or kanji)."""
    lines: list[str] = []
    line = ""
    for piece in _wrap_pieces().findall(" ".join(text.split())):
        if piece.isspace():
            line += " " if line else ""
        elif cell_width(line) + cell_width(piece) <= width or not line.strip() or piece in _NO_LINE_START:
            line += piece
        else:
            lines.append(line.rstrip())
            line = piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def extract_json(fileobj: IO[bytes], _keywords: object, _comment_tags: object,
                 options: Mapping[str, str]) -> Iterator[tuple[int, None, str, list[str]]]:
    """A Babel extraction method for our data files (`babel.cfg`): the strings under the keys named in the
    option `keys`, and every value of the objects named in `maps`, are messages shown in the wizard or the CLI."""
    import json

    keys = set(options.get("keys", "").split())
    maps = set(options.get("maps", "").split())

    def walk(node: object, key: str | None = None) -> Iterator[str]:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in maps and isinstance(value, dict):
                    yield from (text for text in value.values() if isinstance(text, str))
                else:
                    yield from walk(value, name)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, key)
        elif isinstance(node, str) and key in keys:
            yield node

    for message in walk(json.load(fileobj)):
        yield 0, None, message, []
