"""Benchmark the evaluation engine: cold and warm evaluations per second.

Each principal has ten identity policies of ten statements, a permissions boundary and
three SCP levels. Cold: every request is distinct (new resource and context each time).
Warm: the same requests again through an `Evaluator`, answered from its cache.
Run: .venv/bin/python bench/evaluate.py [--requests N]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from access_undenied.engine import EvaluationRequest, Evaluator, evaluate
from access_undenied.policy import Policy, parse_policy

SERVICES = ("s3", "ec2", "sqs", "dynamodb", "kms", "lambda", "iam", "sns", "logs")
VERBS = ("Get", "Put", "List", "Describe", "Delete", "Create", "Update", "Tag")
ACCOUNT = "111122223333"


def build_statement(rng: random.Random, index: int) -> dict[str, object]:
    """One statement with a mix of wildcards, resources and conditions."""
    service = rng.choice(SERVICES)
    statement: dict[str, object] = {
        "Sid": f"S{index}",
        "Effect": "Deny" if rng.random() < 0.1 else "Allow",
        "Action": [
            f"{service}:{rng.choice(VERBS)}*",
            f"{service}:{rng.choice(VERBS)}Item",
        ],
        "Resource": rng.choice(
            [
                "*",
                f"arn:aws:{service}:*:{ACCOUNT}:*",
                f"arn:aws:s3:::bucket-{rng.randrange(20)}/*",
                "arn:aws:s3:::${aws:username}/*",
            ]
        ),
    }
    if rng.random() < 0.5:
        statement["Condition"] = rng.choice(
            [
                {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
                {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
                {"Bool": {"aws:SecureTransport": "true"}},
                {"ForAnyValue:StringLike": {"aws:TagKeys": ["env*", "team"]}},
            ]
        )
    return statement


def build_policy(rng: random.Random, name: str) -> Policy:
    """A policy of ten statements."""
    document = {
        "Version": "2012-10-17",
        "Statement": [build_statement(rng, index) for index in range(10)],
    }
    return parse_policy(document, name)


def build_principal(rng: random.Random, number: int) -> dict[str, object]:
    """Ten identity policies, a boundary and three SCP levels."""
    allow_all = parse_policy(
        {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, "FullAWS"
    )
    return {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/user{number}",
        "identity": tuple(build_policy(rng, f"p{number}-{i}") for i in range(10)),
        "boundary": build_policy(rng, f"boundary{number}"),
        "scps": (
            (allow_all,),
            (allow_all, build_policy(rng, f"ou-scp{number}")),
            (build_policy(rng, f"acct-scp{number}"), allow_all),
        ),
    }


def build_requests(count: int, seed: int) -> list[EvaluationRequest]:
    """`count` distinct requests over ten principals."""
    rng = random.Random(seed)
    principals = [build_principal(rng, number) for number in range(10)]
    requests = []
    for index in range(count):
        principal = principals[index % len(principals)]
        service = rng.choice(SERVICES)
        requests.append(
            EvaluationRequest(
                principal=str(principal["principal"]),
                action=f"{service}:{rng.choice(VERBS)}Item",
                resource=_resource(rng, service, index),
                context={
                    "aws:SourceIp": f"10.{index % 250}.{rng.randrange(250)}.7",
                    "aws:SecureTransport": rng.choice(["true", "false"]),
                    "aws:PrincipalTag/team": rng.choice(["blue", "red"]),
                    "aws:TagKeys": ["env", "owner"],
                },
                identity_policies=principal["identity"],  # type: ignore[arg-type]
                permissions_boundary=principal["boundary"],  # type: ignore[arg-type]
                scps=principal["scps"],  # type: ignore[arg-type]
            )
        )
    return requests


def _resource(rng: random.Random, service: str, index: int) -> str:
    if service == "s3":
        return f"arn:aws:s3:::bucket-{rng.randrange(20)}/object-{index}"
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/item-{index}"


def time_cold(
    requests: list[EvaluationRequest], explain: bool
) -> tuple[float, float, Counter[str]]:
    """Evaluations per second (wall clock, CPU time) with no cache, and decisions."""
    decisions: Counter[str] = Counter()
    wall, cpu = time.perf_counter(), time.process_time()
    for request in requests:
        decisions[evaluate(request, explain=explain).decision.value] += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(requests) / wall, len(requests) / cpu, decisions


def best_batch(requests: list[EvaluationRequest], size: int = 500) -> float:
    """The best evaluations/s over batches of distinct requests: the least disturbed
    stretch of the run, closest to what an idle core does."""
    best = 0.0
    for start in range(0, len(requests), size):
        batch = requests[start : start + size]
        began = time.perf_counter()
        for request in batch:
            evaluate(request, explain=False)
        best = max(best, len(batch) / (time.perf_counter() - began))
    return best


def time_warm(requests: list[EvaluationRequest], rounds: int) -> tuple[float, float]:
    """Microseconds per repeated request from the Evaluator's cache (wall, CPU)."""
    evaluator = Evaluator(explain=True)
    for request in requests:
        evaluator.evaluate(request)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for request in requests:
            evaluator.evaluate(request)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    count = rounds * len(requests)
    return wall / count * 1e6, cpu / count * 1e6


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    requests = build_requests(args.requests, args.seed)
    fast = time_cold(requests, explain=False)
    explained = time_cold(build_requests(args.requests, args.seed + 1), explain=True)
    warm = time_warm(requests[:2000], rounds=20)
    batch = best_batch(requests)
    print(f"requests: {len(requests)}  decisions: {dict(fast[2])}")
    print("one core; other work on the machine slows the wall-clock figures")
    print(f"cold, explain=False: {fast[0]:,.0f}/s wall, {fast[1]:,.0f}/s CPU")
    print(f"cold, explain=False, best batch of 500: {batch:,.0f}/s wall")
    print(
        f"cold, explain=True (near misses on denials): {explained[0]:,.0f}/s wall, "
        f"{explained[1]:,.0f}/s CPU"
    )
    print(f"warm (Evaluator cache hit): {warm[0]:.2f} us wall, {warm[1]:.2f} us CPU")


if __name__ == "__main__":
    main()
