"""Wildcard matching agrees with a reference regex on small cases and stays fast on hostile patterns."""

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.policy.variables import as_glob, parse_value
from tui.policy.wildcards import wildcard_match


def reference(pattern: str, text: str) -> bool:
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(body, text, re.DOTALL) is not None


@settings(max_examples=400)
@given(st.text("ab*?", max_size=7), st.text("ab*?", max_size=8))
def test_agrees_with_a_reference_regex(pattern, text):
    assert wildcard_match(pattern, text) == reference(pattern, text)


def test_case_folding_is_for_actions_only():
    assert wildcard_match("S3:get*", "s3:GetObject", ignore_case=True)
    assert not wildcard_match("S3:get*", "s3:GetObject")


def test_the_hostile_pair_that_froze_a_backtracking_regex_is_instant():
    pattern = "arn:aws:s3:::" + "*x" * 5000 + "*y"
    text = "arn:aws:s3:::" + "x" * 20000
    started = time.perf_counter()
    assert not wildcard_match(pattern, text)
    assert time.perf_counter() - started < 2  # generous: a hang, not a figure (see benchmarks/)


def test_escaped_characters_from_policy_variables_are_literal():
    literal_star = as_glob(parse_value("arn:aws:s3:::b/${*}", True))
    assert literal_star.matches("arn:aws:s3:::b/*")
    assert not literal_star.matches("arn:aws:s3:::b/anything")
    assert as_glob(parse_value("a${?}b?", True)).matches("a?bc")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("aAb*?", max_size=5), min_size=1, max_size=5), st.text("aAb", max_size=6), st.booleans())
def test_the_analysers_factored_pattern_union_is_the_same_language(patterns, text, ignore_case):
    """The analyser shares leading text between patterns (a trie, for speed); membership must not change."""
    import z3

    from tui.policy.symbolic import in_any_glob, sval
    from tui.policy.wildcards import glob

    decided = z3.simplify(in_any_glob(sval(text), [glob(p) for p in patterns], ignore_case=ignore_case))
    assert z3.is_true(decided) == any(wildcard_match(p, text, ignore_case=ignore_case) for p in patterns)
