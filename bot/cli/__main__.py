"""`python -m bot.cli`: the same as `lscb`."""

from bot.cli import main

raise SystemExit(main())
