"""The Textual wizard: screens gather answers and show what `tui.policy` builds and `tui.aws` applies."""
