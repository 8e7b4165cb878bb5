"""The accessundenied search command: explains AWS denials in CloudTrail events.

splunkd starts this script with no arguments and speaks the chunked protocol (SCP v2)
over its stdin and stdout. The command is streaming and distributable, so it runs on
the indexers; the IAM snapshot reaches them through the app's lookups/ folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

APP_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOKUPS = os.path.join(APP_ROOT, "lookups")

# Only the app's own packages: the core, its dependencies, splunklib, the adapter.
sys.path.insert(0, os.path.join(APP_ROOT, "lib"))

from access_undenied_splunk.rows import install  # noqa: E402
from access_undenied_splunk.snapshot import (  # noqa: E402
    SnapshotUnavailable,
    load_enricher,
    read_default_snapshot,
    resolve_snapshot,
)
from splunklib.searchcommands import (  # noqa: E402
    Configuration,
    Option,
    StreamingCommand,
    dispatch,
    validators,
)


@Configuration(distributed=True)
class AccessUndeniedCommand(StreamingCommand):  # type: ignore[misc]
    """Adds to each event the explanation of the AWS denial it records.

    ##Syntax

    accessundenied [field=<field>] [snapshot=<name or path>] [prefix=<prefix>]

    ##Description

    Reads the CloudTrail record in `field`, evaluates the request against the IAM
    snapshot and adds `<prefix>reason_code`, `<prefix>explanation`, ... to the event.
    """

    field = Option(
        doc="Field holding the CloudTrail record as JSON. Default: _raw.",
        default="_raw",
        validate=validators.Fieldname(),
    )
    snapshot = Option(
        doc="Snapshot file name in the app's lookups folder, or an absolute path.",
        default=None,
    )
    prefix = Option(
        doc="Prefix of the output fields. Default: au_.",
        default="au_",
        validate=validators.Match("a field prefix", r"[A-Za-z][A-Za-z0-9_]*\Z"),
    )

    def prepare(self) -> None:
        """Check the arguments and find the snapshot before any event arrives.

        The rows are then written by `RowWriter`: the SDK's bytes, at less cost.
        """
        if self.fieldnames:
            self.error_exit(
                ValueError(self.fieldnames),
                "accessundenied takes only field=, snapshot= and prefix=, not "
                + " ".join(self.fieldnames),
            )

        try:
            name = self.snapshot or read_default_snapshot(APP_ROOT)
            self._snapshot_path = resolve_snapshot(name, LOOKUPS)
        except SnapshotUnavailable as exc:
            self.error_exit(exc, f"accessundenied: {exc}")

        install(self._record_writer)

    def stream(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Add the explanation fields to every record of the chunk.

        A record that fails in an unexpected way gets `<prefix>error` and the
        stream goes on.
        """
        enricher = self._enricher()
        fields = enricher.guarded_fields
        event_id_field = enricher.event_id_field
        name = self.field
        for record in records:
            output, event_id = fields(record.get(name))
            record.update(output)
            record[event_id_field] = event_id
            yield record

    def _enricher(self) -> Any:
        try:
            enricher = load_enricher(self._snapshot_path, self.prefix)
        except SnapshotUnavailable as exc:
            self.error_exit(exc, f"accessundenied: {exc}")
            raise  # error_exit has exited; this keeps the type checker informed

        return enricher


if __name__ == "__main__":
    dispatch(AccessUndeniedCommand, sys.argv, sys.stdin, sys.stdout, __name__)
