"""The wizard's checklists: a tick you can see without colour, "n of m selected", j/k, and a text filter.

Every long list (services, public buckets, endpoints) is one of these, so the conventions hold on every step.
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.selection_list import Selection

from tui.report.i18n import N_, _

VIM_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", N_("Down"), show=False),
    Binding("k", "cursor_up", N_("Up"), show=False),
]

TICKED = "✓"
UNTICKED = " "


def _prompt(row: Selection[str]) -> Content:
    """A row's text: Selection makes every prompt Content (Option types it as any visual)."""
    return cast("Content", row.prompt)


class TickList(SelectionList[str]):
    """A SelectionList that keeps its full rows, so a filter can hide some while their ticks are kept."""

    BINDINGS: ClassVar[list[BindingType]] = VIM_KEYS

    def __init__(self, *rows, **kwargs) -> None:
        super().__init__(*rows, **kwargs)
        self._rows: list[Selection[str]] = list(self._options)  # type: ignore[arg-type]
        self._hidden_selected: set[str] = set()
        self.filter_text = ""

    def on_mount(self) -> None:
        self._show_count()

    @property
    def selected(self) -> list[str]:
        """Every ticked value, hidden by the filter or not, in row order."""
        ticked = set(super().selected) | self._hidden_selected
        return [row.value for row in self._rows if row.value in ticked]

    @property
    def shown_values(self) -> list[str]:
        return [self.get_option_at_index(i).value for i in range(self.option_count)]

    def set_rows(self, rows: list[Selection[str]]) -> None:
        """Replace every row (their `initial_state` says which are ticked), keeping the filter and the cursor."""
        self._rows = list(rows)
        self._show_rows({row.value for row in rows if row.initial_state})

    def apply_filter(self, text: str) -> None:
        """Show only rows whose text holds `text` (case-insensitive); ticks on hidden rows are kept."""
        ticked = set(self.selected)
        self.filter_text = text.strip().casefold()
        self._show_rows(ticked)

    def _show_rows(self, ticked: set[str]) -> None:
        shown = [row for row in self._rows if self.filter_text in _prompt(row).plain.casefold()]
        self._hidden_selected = ticked - {row.value for row in shown}
        highlighted = self.highlighted
        with self.prevent(SelectionList.SelectedChanged):
            self.clear_options()
            self.add_options([Selection(_prompt(row), row.value, row.value in ticked, row.id, row.disabled) for row in shown])
        if shown:
            self.highlighted = min(highlighted or 0, len(shown) - 1)
        self._show_count()

    def _show_count(self) -> None:
        choosable = sum(not row.disabled for row in self._rows)
        count = _("{selected} of {count} selected").format(selected=len(self.selected), count=choosable)
        if self.filter_text:
            count += " · " + _("{count} match “{text}”").format(count=self.option_count, text=self.filter_text)
        self.border_subtitle = count

    def on_selection_list_selected_changed(self) -> None:
        self._show_count()

    def render_line(self, y: int) -> Strip:
        """The base list draws the same X in every box; draw a tick only in ticked ones."""
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return line
        segments = list(line)
        if len(segments) < 2:
            return line
        ticked = self.get_option_at_index(index).value in self._selected
        button = segments[1]
        segments[1] = Segment(TICKED if ticked else UNTICKED, button.style, button.control)
        return Strip(segments, line.cell_length)


class KeyList(OptionList):
    """An OptionList that also moves with j and k."""

    BINDINGS: ClassVar[list[BindingType]] = VIM_KEYS
