"""Line breaks for Japanese: Rich and Textual wrap only at spaces, so a Japanese sentence (no spaces) after a
short English word is pushed whole onto the next line, leaving a ragged half-empty one ("適用には AWS" / "が必要…").

Japanese may break between any two characters, except before closing punctuation (kinsoku: 、。」 and the like
stay with the character before them, an opening bracket with the one after it). Rich's `divide_line` (which
Textual's `Content` wraps with) finds words with the module regex `rich._wrap.re_word`, Textual's own wrapper
with `textual._wrap.re_chunk`; `allow_breaks_between_wide_characters` makes each wide character, with its
punctuation, a word of its own. Text without wide characters is split exactly as before, so an English wizard
installs them only after its first paint (which has none).

These are private names: pyproject.toml pins the Rich range this was checked with, and the patch fails safe (a
Rich or Textual without them keeps its own wrapping, ragged but whole, rather than breaking the wizard's start).
tests/test_app_snapshots_ja.py and tests/test_i18n.py fail if an upgrade stops reading them.
"""

import re
from functools import cache

import rich._wrap
import textual._wrap

_WIDE = "\u2e80-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CLOSING = "、。，．）」』】〕！？ー・:;,.!?)"
"""Punctuation that stays with the character before it; ASCII ones too, as in "許可します: " after a wide character."""
_OPENING = "(「『（【〔"
_WORD = f"(?:[{_OPENING}]?[{_WIDE}][{_CLOSING}]*|[^\\s{_WIDE}]+[{_CLOSING}]*)"


@cache
def _word_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Rich's and Textual's word patterns, compiled on first use: the wide ranges take a few milliseconds."""
    return re.compile(f"\\s*{_WORD}\\s*"), re.compile(f"{_WORD}\\s*|\\s+")


def allow_breaks_between_wide_characters() -> bool:
    """Patch both wrappers; False (and nothing changed) when either no longer has the regex it reads."""
    if not isinstance(getattr(rich._wrap, "re_word", None), re.Pattern) or not isinstance(
            getattr(textual._wrap, "re_chunk", None), re.Pattern):
        return False
    rich._wrap.re_word, textual._wrap.re_chunk = _word_patterns()
    return True
