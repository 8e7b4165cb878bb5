"""Records/s of the Splunk command through SCP v2, beside a do-nothing command.

Builds the app package (or takes --package), unpacks it under a temporary
SPLUNK_HOME, writes the example accounts' snapshot into its lookups/ folder and a
do-nothing StreamingCommand beside the real one (same interpreter, same vendored
splunklib), then streams the same CloudTrail records through both, as splunkd
would, and prints the rates. Goal: the command at 70% or more of the do-nothing rate.

    .venv/bin/python bench/splunk.py [--records 200000] [--chunk 10000]
        [--python PATH ...] [--same-writer]

The command writes its rows with its own RowWriter (the SDK's bytes, faster than
the SDK's writer); --same-writer adds a do-nothing command that does too, for the
ratio to a like-for-like baseline.
"""

from __future__ import annotations

import argparse
import collections
import copy
import gzip
import importlib.util
import json
import random
import resource
import sys
import tarfile
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "splunk"))

from chunked import (  # noqa: E402
    ChunkedCommand,
    clean_env,
    decode_records,
    encode_records,
)

APP_ID = "access_undenied"
SNAPSHOT_NAME = "access_undenied_snapshot.json"
EXAMPLES = ROOT / "examples"
PYTHONS = (
    "/root/.pyenv/versions/3.13.0/bin/python",
    "/root/.pyenv/versions/3.9.18/bin/python",
)
DO_NOTHING = '''"""A StreamingCommand that returns its records unchanged."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))

from splunklib.searchcommands import Configuration, StreamingCommand, dispatch


@Configuration(distributed=True)
class DoNothingCommand(StreamingCommand):
    def stream(self, records):
        for record in records:
            yield record


if __name__ == "__main__":
    dispatch(DoNothingCommand, sys.argv, sys.stdin, sys.stdout, __name__)
'''
# The same do-nothing command writing its rows as accessundenied does (RowWriter):
# the like-for-like baseline, printed with --same-writer.
DO_NOTHING_ROWS = DO_NOTHING.replace(
    "    def stream(self, records):",
    "    def prepare(self):\n"
    "        from access_undenied_splunk.rows import install\n\n"
    "        install(self._record_writer)\n\n"
    "    def stream(self, records):",
)


def example_records() -> list[dict[str, Any]]:
    """The example CloudTrail records: many kinds of denial and a non-denial."""
    dev = json.loads((EXAMPLES / "events" / "2026-11-20-dev-account.json").read_text())
    with gzip.open(EXAMPLES / "events" / "2026-11-20-prod-and-data.json.gz") as stream:
        prod = json.load(stream)
    return list(dev["Records"]) + list(prod["Records"])


def generate(count: int, addresses: int, seed: int) -> Iterator[str]:
    """CloudTrail records as `_raw` text: example requests with fresh ids and times.

    Each record gets its own eventID, requestID and eventTime (one a second), a
    source address from a pool, and S3 data events their own x-amz-id-2, as real
    trails do.
    """
    rng = random.Random(seed)
    templates = example_records()
    pool = [f"203.0.113.{i % 250 + 1}" for i in range(addresses)]
    start = 1_795_600_000
    for index in range(count):
        record = copy.deepcopy(templates[index % len(templates)])
        record["eventID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record["requestID"] = f"{rng.getrandbits(64):016X}"
        record["eventTime"] = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + index)
        )
        record["sourceIPAddress"] = rng.choice(pool)
        if record.get("eventSource") == "s3.amazonaws.com":
            extra = record.setdefault("additionalEventData", {})
            extra["x-amz-id-2"] = f"{rng.getrandbits(128):032x}"
        yield json.dumps(record)


def chunk_bodies(texts: list[str], size: int) -> list[bytes]:
    """Encode the records as execute chunk bodies, as splunkd sends search results."""
    bodies = []
    for first in range(0, len(texts), size):
        events = [
            {
                "_time": str(1_795_600_000 + first + i),
                "_raw": text,
                "host": "cloudtrail-bucket",
                "source": "s3://trail/AWSLogs/123456789012/CloudTrail/",
                "sourcetype": "aws:cloudtrail",
                "index": "cloudtrail",
            }
            for i, text in enumerate(texts[first : first + size])
        ]
        bodies.append(encode_records(events))
    return bodies


def prepare_app(package: Path | None, home: Path) -> Path:
    """Unpack the package under `home`, add the snapshot and the baseline command."""
    if package is None:
        package = build_package(home / "dist")

    apps = home / "etc" / "apps"
    apps.mkdir(parents=True)
    (home / "var" / "log" / "splunk").mkdir(parents=True)
    with tarfile.open(package) as tar:
        tar.extractall(apps)
    app = apps / APP_ID
    (app / "bin" / "donothing.py").write_text(DO_NOTHING, encoding="utf-8")
    rows = app / "bin" / "donothing_rows.py"
    rows.write_text(DO_NOTHING_ROWS, encoding="utf-8")
    write_example_snapshot(app / "lookups" / SNAPSHOT_NAME)
    return app


def build_package(output: Path) -> Path:
    """Build the package with the app's build script (not on sys.path: its folder
    holds an `access_undenied` app folder that would shadow the core)."""
    spec = importlib.util.spec_from_file_location(
        "au_splunk_build", ROOT / "splunk_app" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    package: Path = build.build(output, build.DEFAULT_WHEELHOUSE)
    return package


def write_example_snapshot(target: Path) -> None:
    """The snapshot of the example accounts, organization and resource policies."""
    from access_undenied.snapshot.from_files import build_from_files
    from access_undenied.snapshot.write import write_snapshot

    details = sorted(str(p) for p in (EXAMPLES / "account-details").glob("*.json"))
    document = build_from_files(
        details,
        str(EXAMPLES / "organization.json"),
        str(EXAMPLES / "resource-policies.json"),
    )
    write_snapshot(document, target)


def run(
    python: str, script: Path, home: Path, bodies: list[bytes], work: Path
) -> tuple[float, float, list[tuple[dict[str, Any], bytes]]]:
    """Stream the bodies through one command: (wall s, CPU s of the command, replies).

    Both include the start-up (interpreter, imports, snapshot load).
    """
    command = ChunkedCommand(
        python=python,
        script=script,
        env=clean_env(home),
        cwd=work / "dispatch",
        stderr_path=work / f"{script.stem}.stderr",
    )
    cpu_before = children_cpu()
    started = time.perf_counter()
    command.start()
    command.getinfo([])
    replies = []
    for index, body in enumerate(bodies):
        command.send({"action": "execute", "finished": index == len(bodies) - 1}, body)
        replies.append(command.receive_raw())
    status = command.close()
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{script.name} exited {status}: {command.stderr()[-2000:]}")
    return elapsed, children_cpu() - cpu_before, replies


def children_cpu() -> float:
    """User and system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check(replies: list[tuple[dict[str, Any], bytes]], expected: int) -> Counter[str]:
    """Count the records and reason codes of the replies; fail on messages."""
    reasons: Counter[str] = collections.Counter()
    total = 0
    for metadata, body in replies:
        messages = (metadata.get("inspector") or {}).get("messages")
        if messages:
            raise SystemExit(f"the command sent messages: {messages}")
        _, records = decode_records(body)
        total += len(records)
        reasons.update(str(r.get("au_reason_code", "-")) for r in records)
    if total != expected:
        raise SystemExit(f"{total} records came back, {expected} went in")
    return reasons


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run both commands `--rounds` times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--addresses", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--python", action="append", default=[])
    parser.add_argument("--package", type=Path)
    parser.add_argument(
        "--same-writer",
        action="store_true",
        help="also run the do-nothing command with accessundenied's row writer",
    )
    args = parser.parse_args(argv)
    commands = COMMANDS + (("donothing_rows",) if args.same_writer else ())

    pythons = args.python or [p for p in PYTHONS if Path(p).exists()][:1]
    texts = list(generate(args.records, args.addresses, seed=7))
    bodies = chunk_bodies(texts, args.chunk)
    size = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} records, {size:.0f} bytes of _raw on average, in chunks of")
    print(f"{args.chunk}; {args.addresses} source addresses per request kind. The")
    print("machine has 2 cores shared with other jobs: wall figures vary; the CPU")
    print("figures count the command process's own user+system time.")

    with tempfile.TemporaryDirectory(prefix="au-bench-") as tmp:
        home = Path(tmp)
        app = prepare_app(args.package, home)
        for python in pythons:
            report(python, app, home, bodies, args.rounds, len(texts), commands)
    return 0


def report(
    python: str,
    app: Path,
    home: Path,
    bodies: list[bytes],
    rounds: int,
    count: int,
    commands: tuple[str, ...] = ("donothing", "accessundenied"),
) -> None:
    """Run the commands alternately and print the best rates of each."""
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    reasons: Counter[str] = collections.Counter()
    for _ in range(rounds):
        for name in commands:
            elapsed, used, replies = run(
                python, app / "bin" / f"{name}.py", home, bodies, home
            )
            found = check(replies, count)
            if name == "accessundenied":
                reasons = found
            wall[name] = min(elapsed, wall.get(name, elapsed))
            cpu[name] = min(used, cpu.get(name, used))

    version = python.split("/versions/")[-1].split("/")[0]
    print(f"\nPython {version}, best of {rounds} runs each, start-up included:")
    print(f"  {'command':24} {'wall records/s':>15} {'CPU records/s':>15}")
    for name in commands:
        print(f"  {name:24} {count / wall[name]:>15,.0f} {count / cpu[name]:>15,.0f}")
    for baseline in commands:
        if baseline == "accessundenied":
            continue
        wall_ratio = wall[baseline] / wall["accessundenied"]
        cpu_ratio = cpu[baseline] / cpu["accessundenied"]
        label = f"ratio to {baseline}"
        print(f"  {label:24} {wall_ratio:>15.0%} {cpu_ratio:>15.0%}")
    counts = ", ".join(f"{code} {n}" for code, n in reasons.most_common())
    print(f"  reason codes: {counts}")


COMMANDS = ("donothing", "accessundenied")


if __name__ == "__main__":
    sys.exit(main())
