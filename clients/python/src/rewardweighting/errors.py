"""Exceptions raised by the client: one per gRPC status the service returns, each carrying the status and
the request field it names."""

from __future__ import annotations

import re
from typing import Optional

import grpc

__all__ = [
    "RewardWeightingError",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "FailedPreconditionError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "PermissionDeniedError",
    "UnavailableError",
    "from_rpc_error",
]

# The service starts every error message with the path of the offending request field
# (`config.initial_weights`, `rewards.values[17]`, `run_id`), followed by ": ".
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)*): ")


class RewardWeightingError(Exception):
    """A call the service refused or could not answer.

    Attributes:
        code: the gRPC status code (``grpc.StatusCode``).
        status: its name, e.g. ``"INVALID_ARGUMENT"``.
        field: the request field the service named (``"rewards.values[3]"``), or ``None``.
        details: the service's message, without the leading field.
        method: the RPC that failed, e.g. ``"Scalarize"``.
    """

    def __init__(self, code: grpc.StatusCode, message: str, method: str = "") -> None:
        self.code = code
        self.status = code.name
        self.method = method
        match = _FIELD.match(message or "")
        self.field: Optional[str] = match.group(1) if match else None
        self.details = message[match.end():] if match else (message or "")
        self.message = message or ""
        where = f"{method}: " if method else ""
        super().__init__(f"{where}{self.status}: {self.message}")


class InvalidArgumentError(RewardWeightingError, ValueError):
    """``INVALID_ARGUMENT``: a field of the request is malformed (its path is in ``field``)."""


class NotFoundError(RewardWeightingError, LookupError):
    """``NOT_FOUND``: no run with that id."""


class AlreadyExistsError(RewardWeightingError):
    """``ALREADY_EXISTS``: the run or step exists with a different payload (a retry must resend the same one)."""


class FailedPreconditionError(RewardWeightingError):
    """``FAILED_PRECONDITION``: the run's state forbids the call (step already passed, archived run, wrong
    method)."""


class ResourceExhaustedError(RewardWeightingError):
    """``RESOURCE_EXHAUSTED``: the request is larger than the server accepts."""


class UnauthenticatedError(RewardWeightingError):
    """``UNAUTHENTICATED``: missing or wrong token."""


class PermissionDeniedError(RewardWeightingError):
    """``PERMISSION_DENIED``: the token may not touch that run."""


class UnavailableError(RewardWeightingError, ConnectionError):
    """``UNAVAILABLE``: the server could not be reached, also after the client's retries."""


_BY_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
}


def from_rpc_error(error: grpc.RpcError, method: str = "") -> RewardWeightingError:
    """The client exception for a failed call (``grpc.RpcError`` or ``grpc.aio.AioRpcError``)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    cls = _BY_CODE.get(code, RewardWeightingError)
    return cls(code, details or "", method)
