"""A stand-in for splunkd: starts a command script and speaks SCP v2 to it.

Each message is `chunked 1.0,<metadata bytes>,<body bytes>\\n`, a JSON metadata object
and a CSV body (CRLF rows, `__mv_<name>` columns for multivalue fields). The command
reads a whole chunk before it answers, so writing a chunk and then reading the reply
cannot dead-lock over the pipes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Union

HEADER = re.compile(rb"chunked\s+1\.0\s*,\s*(\d+)\s*,\s*(\d+)\s*\n")
MV_PREFIX = "__mv_"

Value = Union[str, Sequence[str]]


@dataclass(frozen=True)
class Reply:
    """One chunk sent back by the command."""

    metadata: dict[str, Any]
    records: list[dict[str, Value]]
    fieldnames: list[str]

    @property
    def messages(self) -> list[tuple[str, str]]:
        """The (level, text) messages of the reply's inspector."""
        inspector = self.metadata.get("inspector") or {}
        return [(level, text) for level, text in inspector.get("messages", [])]

    @property
    def errors(self) -> list[str]:
        """The texts of the ERROR and FATAL messages."""
        return [text for level, text in self.messages if level in ("ERROR", "FATAL")]


def encode_value(value: Value) -> tuple[str, str]:
    """Return the plain and `__mv_` cells of one value, as splunkd writes them."""
    if isinstance(value, str):
        return value, ""

    if len(value) == 1:
        return value[0], ""

    escaped = "$" + "$;$".join(item.replace("$", "$$") for item in value) + "$"
    return "\n".join(value), escaped


def encode_records(records: Sequence[Mapping[str, Value]]) -> bytes:
    """Write records as a chunk body: header row, then one row per record."""
    if not records:
        return b""

    names = list(dict.fromkeys(name for record in records for name in record))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell for name in names for cell in (name, MV_PREFIX + name)])
    for record in records:
        row: list[str] = []
        for name in names:
            row.extend(encode_value(record.get(name, "")))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def decode_multivalue(cell: str) -> list[str]:
    """Split a `$a$;$b$` cell into its values."""
    return [
        item.replace("$$", "$") for item in re.findall(r"\$((?:\$\$|[^$])*)\$", cell)
    ]


def decode_records(body: bytes) -> tuple[list[str], list[dict[str, Value]]]:
    """Read a reply body into field names and records (multivalue as lists)."""
    if not body:
        return [], []

    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    header, data = rows[0], rows[1:]
    names = [name for name in header if not name.startswith(MV_PREFIX)]
    records = []
    for row in data:
        cells = dict(zip(header, row))
        record: dict[str, Value] = {}
        for name in names:
            multivalue = cells.get(MV_PREFIX + name, "")
            record[name] = (
                decode_multivalue(multivalue) if multivalue else cells.get(name, "")
            )
        records.append(record)
    return names, records


def searchinfo(args: Sequence[str], dispatch_dir: Path) -> dict[str, Any]:
    """The `searchinfo` of a getinfo message, with the fields splunklib reads."""
    search = "search index=cloudtrail | accessundenied " + " ".join(args)
    return {
        "args": list(args),
        "raw_args": list(args),
        "dispatch_dir": str(dispatch_dir),
        "search": search,
        "earliest_time": "0",
        "latest_time": "0",
        "sid": "harness.1",
        "splunk_version": "10.2.0",
        "app": "search",
        "owner": "admin",
        "username": "admin",
        "command": "accessundenied",
        "maxresultrows": 50000,
        "splunkd_uri": "https://127.0.0.1:8089",
        "session_key": "",
    }


@dataclass
class ChunkedCommand:
    """A command script started as splunkd starts it: no arguments, pipes."""

    python: str
    script: Path
    env: Mapping[str, str]
    cwd: Path
    stderr_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> ChunkedCommand:
        """Start the interpreter isolated (-I), as splunkd would, with no arguments.

        -I drops PYTHONPATH, the user site and the current folder. Not -S: splunklib
        calls the `exit` builtin that the site module defines.
        """
        self.cwd.mkdir(parents=True, exist_ok=True)
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(
                [self.python, "-I", str(self.script)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self.cwd,
                env=dict(self.env),
            )
        return self

    def getinfo(self, args: Sequence[str]) -> Reply:
        """Send getinfo with the command's arguments; return the command's answer."""
        metadata = {
            "action": "getinfo",
            "preview": False,
            "streaming_command_will_restart": False,
            "searchinfo": searchinfo(args, self.cwd),
        }
        self.send(metadata, b"")
        return self.receive()

    def execute(self, records: Sequence[Mapping[str, Value]], finished: bool) -> Reply:
        """Send one execute chunk; return the one chunk the command answers."""
        return self.execute_body(encode_records(records), finished)

    def execute_body(self, body: bytes, finished: bool) -> Reply:
        """Send an already encoded execute chunk and return the reply."""
        self.send({"action": "execute", "finished": finished}, body)
        return self.receive()

    def send(self, metadata: Mapping[str, Any], body: bytes) -> None:
        """Write one chunk to the command's stdin."""
        stdin = self._stdin()
        encoded = json.dumps(metadata).encode("utf-8")
        stdin.write(b"chunked 1.0,%d,%d\n" % (len(encoded), len(body)))
        stdin.write(encoded)
        stdin.write(body)
        stdin.flush()

    def receive(self) -> Reply:
        """Read one chunk from the command's stdout."""
        metadata, body = self.receive_raw()
        names, records = decode_records(body)
        return Reply(metadata, records, names)

    def receive_raw(self) -> tuple[dict[str, Any], bytes]:
        """Read one chunk: its metadata and its body left as CSV bytes."""
        stdout = self._stdout()
        header = stdout.readline()
        match = HEADER.fullmatch(header)
        if match is None:
            raise RuntimeError(f"bad chunk header {header!r}; stderr: {self.stderr()}")

        metadata = json.loads(stdout.read(int(match.group(1))) or b"{}")
        return metadata, stdout.read(int(match.group(2)))

    def close(self, timeout: float = 30) -> int:
        """Close stdin (EOF ends the command) and return its exit status."""
        assert self.process is not None
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.stdout:
                self.process.stdout.close()

    def kill(self) -> None:
        """Stop the command if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stderr(self) -> str:
        """What the command wrote to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def _stdin(self) -> IO[bytes]:
        assert self.process is not None and self.process.stdin is not None
        return self.process.stdin

    def _stdout(self) -> IO[bytes]:
        assert self.process is not None and self.process.stdout is not None
        return self.process.stdout


def clean_env(splunk_home: Path) -> dict[str, str]:
    """The environment splunkd would give: SPLUNK_HOME, a locale, no PYTHONPATH."""
    env = {"SPLUNK_HOME": str(splunk_home), "LANG": "C.UTF-8"}
    if "PATH" in os.environ:
        env["PATH"] = "/usr/bin:/bin"
    return env


def run_session(
    command: ChunkedCommand,
    args: Sequence[str],
    chunks: Iterable[Sequence[Mapping[str, Value]]],
) -> tuple[Reply, list[Reply], int]:
    """getinfo, one execute per chunk (the last finished), EOF; the replies."""
    command.start()
    try:
        info = command.getinfo(args)
        replies = []
        chunk_list = list(chunks)
        for index, chunk in enumerate(chunk_list):
            replies.append(command.execute(chunk, index == len(chunk_list) - 1))
        status = command.close()
    finally:
        command.kill()
    return info, replies, status
