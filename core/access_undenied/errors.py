"""The project's exceptions: one root, input errors are also `ValueError`."""

from __future__ import annotations


class AccessUndeniedError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(AccessUndeniedError, ValueError):
    """Input that cannot be used as given; the message names the value and the fix."""


class PolicyParseError(InputError):
    """A policy document that is not valid IAM policy grammar."""

    def __init__(
        self, message: str, policy_id: str = "", statement_index: int | None = None
    ) -> None:
        where = policy_id or "policy"
        if statement_index is not None:
            where = f"{where}, statement {statement_index}"
        super().__init__(f"{where}: {message}")
        self.policy_id = policy_id
        self.statement_index = statement_index


class SnapshotError(InputError):
    """A snapshot that fails its schema or cannot be read; it is never half-used."""


class RequestSchemaError(InputError):
    """A `simulate` request that violates its JSON Schema; names the field."""
