"""What every fuzz target shares: the allowed errors and the atheris set-up."""

from __future__ import annotations

import sys
from typing import Callable

try:
    import atheris
except ImportError:  # atheris is not a dev dependency; see fuzz/README.md
    sys.exit("atheris is not installed: pip install atheris (see fuzz/README.md)")

with atheris.instrument_imports():
    from access_undenied.errors import AccessUndeniedError

# Bad input may end in the project's own named errors, nothing else.
ALLOWED_ERRORS: tuple[type[BaseException], ...] = (AccessUndeniedError,)


def run(test_one_input: Callable[[bytes], None]) -> None:
    """Start libFuzzer with the command line (e.g. `-timeout=2 -max_len=65536`)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
