"""Reading pasted account lists (the core behind the wizard's bulk paste)."""

import pytest

from tui.policy.account_lists import check_account_entry, read_account_list
from tui.policy.errors import InputError


def test_every_separator_people_paste_with():
    reading = read_account_list("111122223333,222233334444;333344445555 444455556666\n555566667777、666677778888，777788889999\u3000888899990000")
    assert len(reading.accounts) == 8 and not reading.problems


def test_console_dashes_and_full_width_digits_are_normalised_with_a_note():
    reading = read_account_list("1234-5678-9012 １１１１２２２２３３３３")
    assert reading.accounts == ("123456789012", "111122223333")
    assert any("full-width" in note for note in reading.notes)


def test_org_ids_are_routed_and_duplicates_counted_once():
    reading = read_account_list("o-a1b2c3d4e5 111122223333 111122223333")
    assert reading.org_ids == ("o-a1b2c3d4e5",) and reading.accounts == ("111122223333",)
    assert "1 repeated ID(s) counted once" in reading.notes


@pytest.mark.parametrize(("value", "words"), [
    ("12345678901a", "has letters"),
    ("12345", "5 digits, not 12"),
    ("111122223333444455556666", "2 IDs run together"),
    ("o-bad", "looks like an organization ID"),
    ("1111.2222.3333", "characters other than digits"),
    ("١١١١٢٢٢٢٣٣٣٣", "characters other than digits"),  # Arabic-Indic digits are digits to Python, not to AWS
])
def test_each_bad_value_says_what_is_wrong(value, words):
    reading = read_account_list(f"111122223333 {value}")
    assert reading.accounts == ("111122223333",)
    assert len(reading.problems) == 1 and words in reading.problems[0]
    assert reading.rejected == (value,)


def test_a_single_entry_is_checked_with_the_same_words():
    assert check_account_entry(" 1234-5678-9012 ") == "123456789012"
    with pytest.raises(InputError, match=r"an organization ID, not an account ID|looks like an organization ID"):
        check_account_entry("o-a1b2c3")
