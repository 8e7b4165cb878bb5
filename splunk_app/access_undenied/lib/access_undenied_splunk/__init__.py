"""The Splunk adapter's logic, free of splunklib: snapshot location and enrichment.

`bin/accessundenied.py` wires it into a splunklib StreamingCommand; tests import it
directly.
"""

from __future__ import annotations
