"""IAM wildcard matching (`*` any run of characters, `?` exactly one) without backtracking.

A stored policy is hostile input: a regex built from `*x*x*x...*y` backtracks for minutes against
`xxxx...`. Here a pattern is cut at each `*` into segments; the first must match at the start, the last
at the end, and each middle one is placed at its leftmost possible position. Leftmost placement is never
worse for the segments after it, so no choice is revisited: the cost is bounded by the text length times
the longest segment, whatever the pattern.

A policy variable such as `${*}` stands for a literal `*`, so a pattern is a `Glob` of segments, where a
segment is plain text or a tuple whose `None` items are `?` wildcards, rather than a string.
"""

from dataclasses import dataclass
from functools import lru_cache

ANY_ONE = None
"""A `?` inside a segment tuple."""
Segment = str | tuple[str | None, ...]


def _segment_length(segment: Segment) -> int:
    return len(segment)


def _matches_at(segment: Segment, text: str, start: int) -> bool:
    """Whether the segment matches `text` exactly from `start`."""
    if start + len(segment) > len(text):
        return False
    if isinstance(segment, str):
        return text.startswith(segment, start)
    return all(wanted is ANY_ONE or wanted == text[start + offset] for offset, wanted in enumerate(segment))


def _find(segment: Segment, text: str, start: int, end: int) -> int:
    """The leftmost position >= start where the segment matches and ends by `end`, or -1."""
    if isinstance(segment, str):
        return text.find(segment, start, end)
    anchor = next(((i, wanted) for i, wanted in enumerate(segment) if wanted is not ANY_ONE), None)
    position = start
    while position + len(segment) <= end:
        if anchor is not None:  # jump to where the first literal character can line up
            offset, literal = anchor
            found = text.find(literal, position + offset, end)
            if found < 0:
                return -1
            position = found - offset
        if position + len(segment) <= end and _matches_at(segment, text, position):
            return position
        position += 1
    return -1


@dataclass(frozen=True)
class Glob:
    """A wildcard pattern split at `*`: one segment means no `*` at all."""

    segments: tuple[Segment, ...]

    @property
    def is_literal(self) -> bool:
        return len(self.segments) == 1 and isinstance(self.segments[0], str)

    def lowered(self) -> "Glob":
        return Glob(tuple(s.lower() if isinstance(s, str) else tuple(c and c.lower() for c in s) for s in self.segments))

    def matches(self, text: str) -> bool:
        segments = self.segments
        if len(segments) == 1:
            return len(segments[0]) == len(text) and _matches_at(segments[0], text, 0)
        head, tail = segments[0], segments[-1]
        if len(head) + len(tail) > len(text):
            return False
        if not _matches_at(head, text, 0) or not _matches_at(tail, text, len(text) - len(tail)):
            return False
        position, end = len(head), len(text) - len(tail)
        for segment in segments[1:-1]:
            if not segment:
                continue
            found = _find(segment, text, position, end)
            if found < 0:
                return False
            position = found + len(segment)
        return True


def _segment(text: str) -> Segment:
    return text if "?" not in text else tuple(ANY_ONE if c == "?" else c for c in text)


@lru_cache(maxsize=8192)
def glob(pattern: str) -> Glob:
    """The Glob of a plain pattern string, where every `*` and `?` is a wildcard."""
    return Glob(tuple(_segment(part) for part in pattern.split("*")))


def wildcard_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """Whether the whole `text` matches the IAM wildcard `pattern`."""
    if ignore_case:
        return glob(pattern.lower()).matches(text.lower())
    return glob(pattern).matches(text)


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value
