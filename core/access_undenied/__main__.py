"""`python -m access_undenied` runs the command line."""

from access_undenied.cli import main

raise SystemExit(main())
