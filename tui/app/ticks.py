"""A checkbox and a radio button whose state shows without colour (the apply step's options).

Apart from the lists of `tui.app.tick_list` so the first screen does not import Textual's toggle buttons.
"""

from textual.widgets import Checkbox, RadioButton

from tui.app.tick_list import TICKED, UNTICKED


class TickBox(Checkbox):
    """A checkbox that shows ✓ when ticked and nothing when not, rather than the same X in two colours."""

    def on_mount(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED

    def watch_value(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        super().watch_value()
        self.refresh()


class TickRadio(RadioButton):
    """A radio button that shows ● when chosen and nothing when not, rather than the same dot in two colours."""

    def on_mount(self) -> None:
        self.BUTTON_INNER = "●" if self.value else UNTICKED

    def watch_value(self) -> None:
        self.BUTTON_INNER = "●" if self.value else UNTICKED
        super().watch_value()
        self.refresh()
