"""The `Analyzer`: one CloudTrail record in, one result object out, never raising.

Repeated requests are common (one principal retrying one call), so results are
cached (see `analyze.cache` for the keys); only the record's own fields (event id,
time, the session ARN) differ between events that share a result.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, NamedTuple

from access_undenied.analyze import findings
from access_undenied.analyze.assemble import (
    Assembly,
    PolicyCache,
    assemble,
    caller_arn,
    principal_account,
    with_derived,
)
from access_undenied.analyze.cache import (
    VOLATILE_LIMIT,
    CachedBody,
    RecordEntry,
    cached_body,
    first_key,
    keys_read,
    names_sessions,
    reads_creation,
    recall,
    record_fingerprint,
    session_arn,
    volatile_members,
)
from access_undenied.analyze.reasons import ReasonCode, render_explanation
from access_undenied.analyze.result import (
    EventInfo,
    Finding,
    LazyResult,
    RequestSummary,
    age_text,
    build_result_body,
    json_text,
    snapshot_fields,
    source_text,
)
from access_undenied.cloudtrail.models import ReadError, RecordItem, Request
from access_undenied.cloudtrail.reader import is_denial
from access_undenied.cloudtrail.request import build_request
from access_undenied.engine.evaluate import evaluate
from access_undenied.engine.model import Decision, EvaluationRequest, EvaluationResult
from access_undenied.errors import AccessUndeniedError
from access_undenied.iam_data import action_exists
from access_undenied.snapshot import Snapshot
from access_undenied.snapshot.arns import bucket_arn

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
CACHE_LIMIT = 100_000
# Assemblies are large and rarely shared by two result bodies: keep fewer.
ASSEMBLY_LIMIT = 20_000

Assembled = tuple[Any, frozenset[str], bool]

# The owner assumed for "a resource in some other account" when nothing says.
OTHER_ACCOUNT = "000000000000"


class Rebuilt(NamedTuple):
    """A rebuilt record's body, caller, the context keys read, and whether the
    body depends on the caller's session (its name or a value holding it)."""

    body: CachedBody
    principal: str | None
    wanted: frozenset[str]
    per_session: bool


class Analyzer:
    """Explains denials against one snapshot; results are plain dicts."""

    def __init__(self, snapshot: Snapshot, *, cache_limit: int = CACHE_LIMIT) -> None:
        self.snapshot = snapshot
        self._policies = PolicyCache()
        # Least recently used entries go first: requests follow a Zipf law.
        self._assemblies: OrderedDict[tuple[Any, ...], Assembled] = OrderedDict()
        self._bodies: OrderedDict[tuple[Any, ...], CachedBody] = OrderedDict()
        self._records: OrderedDict[bytes, RecordEntry] = OrderedDict()
        # How many records needed their request rebuilt, and how many an evaluation.
        self.counts = {"rebuilt": 0, "evaluated": 0}
        self._cache_limit = cache_limit
        created = snapshot.created_at
        self._snapshot_time = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._snapshot_epoch = calendar.timegm(created.utctimetuple())
        time_text = json_text(self._snapshot_time)
        self._snapshot_head = f'"SnapshotTime": {time_text}, "SnapshotAgeSeconds": '

    def explain_record(
        self, record: object, source: str | None = None, index: int | None = None
    ) -> JsonDict:
        """One full result object for a record; bad input gives an `error` result."""
        line = self.explain(record, source, index)[1]
        result: JsonDict = json.loads(line)
        return result

    def explain_item(self, item: RecordItem | ReadError) -> tuple[LazyResult, str]:
        """The result and its JSON text for what the reader yielded.

        The result is read from the text on first access (`LazyResult`); its
        `reason_code` is at hand without that.
        """
        if isinstance(item, ReadError):
            event = EventInfo(None, None, item.source, item.index)
            body = error_body(item.message)
            return self._finish(event, cached_body(body), None)
        return self.explain(item.record, item.source, item.index)

    def explain(
        self, record: object, source: str | None, index: int | None
    ) -> tuple[LazyResult, str]:
        """The result object and its JSON text."""
        if not isinstance(record, Mapping):
            kind = type(record).__name__
            event = EventInfo(None, None, source, index)
            body = cached_body(error_body(f"not a record: {kind}"))
            return self._finish(event, body, None)
        event = EventInfo(
            text_or_none(record.get("eventID")),
            text_or_none(record.get("eventTime")),
            source,
            index,
        )
        try:
            body, principal = self._body_for(record)
            return self._finish(event, body, principal)
        except Exception as exc:  # a batch never stops for one record
            logger.debug("record %s failed", event.event_id, exc_info=True)
            return self._finish(event, cached_body(error_body(describe(exc))), None)

    def _body_for(self, record: Mapping[str, Any]) -> tuple[CachedBody, str | None]:
        if not is_denial(record):
            return NOT_A_DENIAL, None
        session = session_arn(record)
        fingerprint = record_fingerprint(record, session)
        entry = recall(self._records, fingerprint)
        volatile = entry.volatile_key(record, session) if entry is not None else ()
        if entry is not None and volatile in entry.bodies:
            body, principal = entry.bodies[volatile]
            return body, session or principal

        self.counts["rebuilt"] += 1
        rebuilt = self._rebuild(record)
        if entry is None:
            entry = RecordEntry(
                volatile_members(rebuilt.wanted),
                {},
                reads_creation(rebuilt.wanted),
                rebuilt.principal != session or rebuilt.per_session,
            )
            self._remember(self._records, fingerprint, entry)
            volatile = entry.volatile_key(record, session)
        if len(entry.bodies) < VOLATILE_LIMIT:
            entry.bodies[volatile] = (rebuilt.body, rebuilt.principal)
        return rebuilt.body, rebuilt.principal

    def _rebuild(self, record: Mapping[str, Any]) -> Rebuilt:
        """The body of a record not seen before: rebuild the request first."""
        request = build_request(record)
        principal = caller_arn(request)
        key = first_key(request)
        entry = recall(self._assemblies, key)
        if entry is None:
            entry = self._assemble(request)
            self._remember(self._assemblies, key, entry, ASSEMBLY_LIMIT)
        assembled, wanted, per_session = entry
        context_key = tuple(
            (name, request.context[name])
            for name in sorted(request.context)
            if name.lower() in wanted
        )
        full_key = (key, context_key, principal if per_session else None)
        body = recall(self._bodies, full_key)
        if body is None:
            self.counts["evaluated"] += 1
            finding = self._analyze(request, assembled, wanted)
            body = cached_body(build_result_body(finding))
            self._remember(self._bodies, full_key, body)
        session_bound = per_session or reads_session(request, wanted)
        return Rebuilt(body, principal, wanted, session_bound)

    def _assemble(self, request: Request) -> tuple[Any, frozenset[str], bool]:
        try:
            assembled = assemble(request, self.snapshot, self._policies)
        except AccessUndeniedError as exc:
            return exc, frozenset(), False
        if assembled is None:
            return None, frozenset(), False
        evaluation = assembled.evaluation
        return assembled, keys_read(evaluation), names_sessions(evaluation)

    def _analyze(
        self, request: Request, assembled: Any, wanted: frozenset[str]
    ) -> Finding:
        if isinstance(assembled, Exception):
            return error_finding(describe(assembled), request)
        if assembled is None or not action_exists(request.action or ""):
            return invalid_action(request)
        if not request.resources:
            missing = ("resource of the request (the record does not name it)",)
            return findings.insufficient(request_summary(request), missing)
        if assembled.owner_account is None and assembled.evaluation.resource != "*":
            return self._owner_unknown(request, assembled, wanted)
        return self._evaluate(request, assembled, wanted)

    def _owner_unknown(
        self, request: Request, assembled: Assembly, wanted: frozenset[str]
    ) -> Finding:
        """Try the resource in the caller's account and in another one."""
        answers = []
        for owner in (principal_account(request), OTHER_ACCOUNT):
            trial = assemble(request, self.snapshot, self._policies, owner=owner)
            if trial is None or owner is None:
                continue
            answers.append(self._evaluate(request, trial, wanted))
        codes = {answer.code for answer in answers}
        if len(answers) == 2 and len(codes) == 1 and OTHER_ACCOUNT not in str(answers):
            return dataclasses.replace(answers[0], request=answers[0].request)
        resource = owner_subject(assembled.evaluation.resource)
        return findings.insufficient(
            request_summary(request), (f"owner account of {resource}",)
        )

    def _evaluate(
        self, request: Request, assembly: Assembly, wanted: frozenset[str]
    ) -> Finding:
        evaluation = for_this_record(
            assembly.evaluation, request, assembly.derived_context
        )
        assembly = dataclasses.replace(assembly, evaluation=evaluation)
        summary = summarize_request(evaluation, assembly, wanted)
        result = judge(evaluation)
        found = findings.finding_for_result(
            request, assembly, result, summary, verify, bool(request.resources)
        )
        return findings.check_missing(found, assembly)

    def _finish(
        self, event: EventInfo, body: CachedBody, principal: str | None
    ) -> tuple[LazyResult, str]:
        """The result line: the record's fields spliced around the cached body.

        Written as `json.dumps` would write the whole object, without building it.
        """
        line = "".join(
            (
                '{"EventId": ',
                json_text(event.event_id),
                ', "EventTime": ',
                json_text(event.event_time),
                source_text(event),
                ", ",
                body.fragment,
                ', "Request": {"Principal": ',
                json_text(principal),
                ", ",
                body.request_fragment,
                "}, ",
                self._snapshot_head,
                age_text(self._age(event.event_time)),
                "}",
            )
        )
        return LazyResult(line, body.reason_code), line

    def snapshot_fields(self) -> JsonDict:
        """`SnapshotTime` and `SnapshotAgeSeconds` for a result with no event time."""
        return snapshot_fields(self._snapshot_time, None)

    def _age(self, event_time: str | None) -> float | None:
        epoch = epoch_of(event_time)
        if epoch is None:
            return None
        return float(self._snapshot_epoch - epoch)

    def _remember(
        self, cache: OrderedDict[Any, Any], key: Any, value: Any, limit: int = 0
    ) -> None:
        """Store in a bounded cache; the least recently used entry goes first."""
        if len(cache) >= (limit or self._cache_limit):
            cache.popitem(last=False)
        cache[key] = value


def reads_session(request: Request, wanted: frozenset[str]) -> bool:
    """True when a context key the policies read holds the session's name."""
    name = request.principal.arn.rpartition("/")[2] if request.principal.arn else ""
    return any(
        name in str(value)
        for key, value in request.context.items()
        if key.lower() in wanted
    )


def judge(evaluation: EvaluationRequest) -> EvaluationResult:
    """Evaluate; near misses are computed only where a missing key may matter."""
    result = evaluate(evaluation, explain=False)
    if result.missing_context_keys and result.decision is Decision.IMPLICITLY_DENIED:
        return evaluate(evaluation, explain=True)
    return result


def verify(evaluation: EvaluationRequest) -> EvaluationResult:
    """Evaluate a request with a fix applied (no near misses needed)."""
    return evaluate(evaluation, explain=False)


def for_this_record(
    evaluation: EvaluationRequest, request: Request, derived: Mapping[str, Any]
) -> EvaluationRequest:
    """The assembled request with this record's caller and context keys."""
    merged = with_derived(request.context, derived)
    principal = caller_arn(request) or evaluation.principal
    return evaluation.replaced(principal=principal, context=merged)


def summarize_request(
    evaluation: EvaluationRequest, assembly: Assembly, wanted: frozenset[str]
) -> RequestSummary:
    """The `Request` object of a result: what was evaluated, the context keys used."""
    return RequestSummary(
        principal=evaluation.principal,
        action=evaluation.action,
        resource=evaluation.resource,
        resource_account=assembly.owner_account,
        context={
            key: value
            for key, value in evaluation.context.items()
            if key.lower() in wanted
        },
    )


def request_summary(request: Request) -> RequestSummary:
    """The `Request` object of a result that was not evaluated."""
    return RequestSummary(
        caller_arn(request), request.action, request.resource, request.resource_account
    )


def owner_subject(resource: str) -> str:
    """The resource whose owner matters: the bucket of an S3 object."""
    return bucket_arn(resource) or resource


def invalid_action(request: Request) -> Finding:
    """A request whose action (or principal) cannot be evaluated."""
    missing = list(request.unknowns) or ["the action is not an IAM action"]
    if request.action and not action_exists(request.action):
        missing = [f"{request.action} is not an IAM action", *missing]
    reason = "; ".join(m[:1].lower() + m[1:].rstrip(".") for m in missing)
    return Finding(
        code=ReasonCode.INVALID_ACTION,
        explanation=render_explanation(ReasonCode.INVALID_ACTION, {"missing": reason}),
        request=request_summary(request),
        missing=tuple(missing),
    )


def error_finding(message: str, request: Request | None = None) -> Finding:
    """A finding for a record or policy that could not be analyzed."""
    summary = request_summary(request) if request is not None else None
    return Finding(
        code=ReasonCode.ERROR,
        explanation=render_explanation(ReasonCode.ERROR, {"error": message}),
        request=summary,
        error=message,
    )


def error_body(message: str) -> JsonDict:
    """The body of an `error` result."""
    return build_result_body(error_finding(message))


NOT_A_DENIAL = cached_body(
    build_result_body(
        Finding(
            code=ReasonCode.NOT_A_DENIAL,
            explanation=render_explanation(ReasonCode.NOT_A_DENIAL, {}),
        )
    )
)


def describe(exc: BaseException) -> str:
    """A one-line description of an exception for the `Error` field."""
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:500]


def text_or_none(value: object) -> str | None:
    """A string field of the record, or None."""
    return value if isinstance(value, str) else None


def epoch_of(timestamp: str | None) -> int | None:
    """Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`, or None."""
    if timestamp is None or len(timestamp) < 19:
        return None
    try:
        parts = (
            int(timestamp[0:4]),
            int(timestamp[5:7]),
            int(timestamp[8:10]),
            int(timestamp[11:13]),
            int(timestamp[14:16]),
            int(timestamp[17:19]),
        )
    except ValueError:
        return None
    return calendar.timegm((*parts, 0, 0, 0))
