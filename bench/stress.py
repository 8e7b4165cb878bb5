"""Stress: hostile input per parser, then a large CloudTrail tree through `analyze`.

Part one draws inputs from the robustness suite's hypothesis strategies
(`tests/robustness/robust_strategies.py`) for each target (reader, denial messages,
request rebuilding, policy parser, engine, analyzer) and counts crashes (any
exception other than the project's named errors) and hangs (an input still running
after `--hang-seconds`, interrupted by an alarm), with the worst time per input.

Part two writes a CloudTrail tree in the S3 export layout (gzip files of 1,000
denials, plus one truncated file in a hundred), runs the CLI's `analyze` on it as a
child process with results on stdout as JSON Lines, and checks each good file's
records all come back (results lost) while measuring the child's peak memory.
`--gigabytes` is the uncompressed JSON size of the tree; the tree is written and
read one file at a time, so memory stays bounded whatever the size.

Usage: python bench/stress.py [--examples N] [--gigabytes G] [--tree DIR] [--keep]
Default: 300 inputs per target and a 0.25 GB tree (a few minutes on 2 cores);
`--gigabytes 5` for the full run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "robustness"))

from access_undenied.errors import AccessUndeniedError  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from robust_strategies import (  # noqa: E402
    DEEP_JSON,
    ERROR_CODES,
    HUGE_MESSAGES,
    JSON_VALUES,
    MESSAGES,
    WRONG_TYPES,
    corrupted,
    policy_documents,
    records_file,
    truncated_gzip,
)
from robust_support import (  # noqa: E402
    BASE_DENIAL,
    example_analyzer,
    example_data_arguments,
    example_denials,
    field_paths,
    replaced,
)
from robust_trees import file_path, tree_records  # noqa: E402

RECORDS_PER_FILE = 1_000
BAD_FILE_EVERY = 100


class Hang(Exception):
    """An input still running after the bound."""


@dataclass
class Tally:
    """The counters of one target."""

    name: str
    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    worst: float = 0.0
    examples: list[str] = field(default_factory=list)

    def run(self, call: Callable[[], Any], bound: float) -> None:
        """Run one input: count it, time it, classify how it ended."""
        self.inputs += 1
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, bound)
        try:
            call()
        except Hang:
            self.hangs += 1
        except AccessUndeniedError:
            pass
        except Exception as exc:  # a crash: anything not named by the project
            self.crashes += 1
            if len(self.examples) < 3:
                self.examples.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        self.worst = max(self.worst, time.perf_counter() - start)


def on_alarm(signum: int, frame: Any) -> None:
    raise Hang


def targets() -> dict[str, tuple[Any, Callable[[Any], Any]]]:
    """Target name -> (strategy of inputs, the call under test)."""
    from access_undenied.cloudtrail.messages import parse_denial_message
    from access_undenied.cloudtrail.reader import iter_records
    from access_undenied.cloudtrail.request import build_request
    from access_undenied.engine import evaluate
    from access_undenied.engine.simulate import simulate
    from access_undenied.policy import parse_policy

    analyzer = example_analyzer()
    good = example_denials()
    paths = field_paths(BASE_DENIAL)
    reader_inputs = (
        st.binary(max_size=4000)
        | corrupted(records_file(good))
        | truncated_gzip(good)
        | DEEP_JSON
        | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    )
    record_inputs = st.builds(
        lambda path, value: replaced(BASE_DENIAL, path, value),
        st.sampled_from(paths),
        JSON_VALUES | WRONG_TYPES,
    )
    return {
        "reader": (reader_inputs, lambda data: list(iter_records(io.BytesIO(data)))),
        "messages": (
            st.tuples(ERROR_CODES, MESSAGES | HUGE_MESSAGES | st.text()),
            lambda pair: parse_denial_message(*pair),
        ),
        "request": (record_inputs, build_request),
        "policy": (policy_documents() | DEEP_JSON, lambda d: parse_policy(d, "x")),
        "engine": (simulate_requests(), simulate),
        "analyzer": (record_inputs | JSON_VALUES, analyzer.explain_record),
        "wildcards": (wildcard_requests(), evaluate),
    }


def wildcard_requests() -> Any:
    """Resource patterns of many `*` and `?` against long resources."""
    from access_undenied.engine import EvaluationRequest
    from access_undenied.policy import parse_policy

    def build(unit: str, count: int, length: int) -> Any:
        statement = {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::*" + unit * count + "b*",
        }
        policy = parse_policy({"Statement": [statement]}, "wildcards")
        return EvaluationRequest(
            principal="arn:aws:iam::123456789012:role/app",
            action="s3:GetObject",
            resource="arn:aws:s3:::" + "a" * length,
            identity_policies=(policy,),
        )

    return st.builds(
        build,
        st.sampled_from(["*a", "a?", "*a?", "?*", "*?a", "a"]),
        st.integers(min_value=100, max_value=1_000),
        st.integers(min_value=1_000, max_value=4_000),
    )


def simulate_requests() -> Any:
    """`simulate` requests around drawn policies."""
    return st.builds(
        lambda documents, action, resource, context: {
            "principal": "arn:aws:iam::123456789012:role/app",
            "action": action,
            "resource": resource,
            "context": context,
            "identity_policies": documents,
        },
        st.lists(policy_documents(), max_size=3),
        st.sampled_from(["s3:GetObject", "iam:PassRole", "", "*"]),
        st.sampled_from(["arn:aws:s3:::b/" + "a" * 3000, "*", ""]),
        st.dictionaries(
            st.sampled_from(["aws:SourceIp", "aws:CurrentTime"]), st.text()
        ),
    )


def run_targets(examples: int, bound: float) -> list[Tally]:
    """Draw `examples` inputs for each target and run them."""
    signal.signal(signal.SIGALRM, on_alarm)
    tallies = []
    for name, (strategy, call) in targets().items():
        tally = Tally(name)
        drive(strategy, functools.partial(run_one, tally, call, bound), examples)
        tallies.append(tally)
    return tallies


def run_one(tally: Tally, call: Callable[[Any], Any], bound: float, value: Any) -> None:
    """Run one drawn value through the target's call."""
    tally.run(lambda: call(value), bound)


def drive(strategy: Any, consume: Callable[[Any], None], examples: int) -> None:
    """Feed `examples` drawn values to `consume` (hypothesis as a generator)."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def feed(value: Any) -> None:
        consume(value)

    feed()


# --- the large tree ------------------------------------------------------------------


def write_tree(root: Path, gigabytes: float) -> tuple[int, int, int]:
    """Write files until the JSON size reaches `gigabytes`; (files, records, bytes)."""
    templates = example_denials()
    target = int(gigabytes * 1e9)
    written = files = records = 0
    while written < target:
        batch = list(tree_records(templates, files, RECORDS_PER_FILE))
        data = json.dumps({"Records": batch}).encode()
        compressed = gzip.compress(data, compresslevel=1)
        if files % BAD_FILE_EVERY == BAD_FILE_EVERY - 1:
            compressed = compressed[: len(compressed) // 2]
        else:
            records += len(batch)
        path = file_path(root, files)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(compressed)
        written += len(data)
        files += 1
    return files, records, written


def analyze_tree(root: Path, files: int) -> dict[str, Any]:
    """Run `analyze` on the tree; count results per file; the child's peak memory."""
    command = [
        sys.executable,
        "-m",
        "access_undenied",
        "analyze",
        "--events-file",
        str(root),
        *example_data_arguments(),
    ]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    per_file, errors, malformed = count_results(child.stdout)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    good_files = [n for n in range(files) if n % BAD_FILE_EVERY != BAD_FILE_EVERY - 1]
    lost = sum(max(0, RECORDS_PER_FILE - per_file.get(n, 0)) for n in good_files)
    repeated = sum(max(0, count - RECORDS_PER_FILE) for count in per_file.values())
    return {
        "exit_status": os.waitstatus_to_exitcode(status),
        "results": sum(per_file.values()) + errors,
        "errors": errors,
        "lost": lost + malformed,
        "repeated": repeated,
        "seconds": elapsed,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def count_results(stream: Any) -> tuple[dict[int, int], int, int]:
    """Results per file number (from the event ids), error results, bad lines."""
    per_file: dict[int, int] = {}
    errors = malformed = 0
    for line in stream:
        try:
            result = json.loads(line)
        except ValueError:
            malformed += 1
            continue
        event_id = result.get("EventId")
        if result.get("ReasonCode") == "error" or not event_id:
            errors += 1
            continue
        number = int(str(event_id).split("-")[0])
        per_file[number] = per_file.get(number, 0) + 1
    return per_file, errors, malformed


# --- report --------------------------------------------------------------------------


def print_targets(tallies: list[Tally], bound: float) -> None:
    """One line per target."""
    print(f"hostile input per target (hang = over {bound:g} s):")
    print(f"  {'target':10} {'inputs':>7} {'crashes':>8} {'hangs':>6} {'worst s':>8}")
    for t in tallies:
        print(f"  {t.name:10} {t.inputs:7} {t.crashes:8} {t.hangs:6} {t.worst:8.3f}")
        for example in t.examples:
            print(f"    crash: {example}")


def print_tree(files: int, records: int, size: int, result: dict[str, Any]) -> None:
    """The large-tree figures."""
    rate = result["results"] / max(result["seconds"], 1e-9)
    print(
        f"large tree: {files} files, {records:,} good records, {size / 1e9:.2f} GB JSON"
    )
    print(
        f"  analyze: exit {result['exit_status']}, {result['results']:,} results "
        f"({result['errors']} error results for truncated files), "
        f"results lost {result['lost']}, repeated {result['repeated']}"
    )
    print(
        f"  {result['seconds']:.1f} s wall ({rate:,.0f} results/s), "
        f"peak memory {result['peak_rss_mb']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="inputs per target")
    parser.add_argument("--hang-seconds", type=float, default=2.0)
    parser.add_argument("--gigabytes", type=float, default=0.25)
    parser.add_argument("--tree", type=Path, help="where to write the tree")
    parser.add_argument("--keep", action="store_true", help="keep the tree")
    args = parser.parse_args(argv)
    # Each bad input is logged by the reader; the counts below say it all.
    logging.getLogger("access_undenied").setLevel(logging.CRITICAL)
    print("machine: 2 cores shared with other engineers' runs; figures are indicative")

    tallies = run_targets(args.examples, args.hang_seconds)
    print_targets(tallies, args.hang_seconds)

    root = args.tree or Path(tempfile.mkdtemp(prefix="stress-tree-"))
    try:
        start = time.perf_counter()
        files, records, size = write_tree(root, args.gigabytes)
        print(f"wrote the tree in {time.perf_counter() - start:.1f} s")
        tree = analyze_tree(root, files)
        print_tree(files, records, size, tree)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    crashes = sum(t.crashes for t in tallies)
    hangs = sum(t.hangs for t in tallies)
    print(
        f"total: {sum(t.inputs for t in tallies):,} inputs, crashes {crashes}, "
        f"hangs {hangs}, results lost {tree['lost']}"
    )
    return 1 if crashes or hangs or tree["lost"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
