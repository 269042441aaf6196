"""`python -m tui` runs the same entry point as the `vpce-wizard` command."""

from tui.cli import main

raise SystemExit(main())
