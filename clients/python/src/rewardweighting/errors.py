"""Exceptions raised by the client: one per gRPC status the service returns, each carrying the status and
the request field it names."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import grpc
from google.rpc import error_details_pb2, status_pb2

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

# The service sends the offending request field in the standard rich error model (the `grpc-status-details-bin`
# trailer: google.rpc.Status with a BadRequest field violation and an ErrorInfo whose metadata names the field),
# and also starts its message with the field's path and ": ". The message is read only when a status carries no
# details (e.g. one from a proxy or an older server).
_DETAILS_KEY = "grpc-status-details-bin"
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)*): ")


class RewardWeightingError(Exception):
    """A call the service refused or could not answer.

    Attributes:
        code: the gRPC status code (``grpc.StatusCode``).
        status: its name, e.g. ``"INVALID_ARGUMENT"``.
        field: the request field the service named (``"rewards.values[3]"``), or ``None``: from the status's
            ``google.rpc.BadRequest`` field violation or ``google.rpc.ErrorInfo`` metadata.
        details: why the field was refused (the violation's description), or the message without its field.
        violations: every ``BadRequest`` field violation, as ``(field, description)`` pairs.
        error_info: the ``ErrorInfo`` detail as ``{"reason", "domain", "metadata"}``, or ``None``.
        method: the RPC that failed, e.g. ``"Scalarize"``.
    """

    def __init__(
        self, code: grpc.StatusCode, message: str, method: str = "", status_details: Optional[bytes] = None
    ) -> None:
        self.code = code
        self.status = code.name
        self.method = method
        self.message = message or ""
        self.violations: List[Tuple[str, str]] = []
        self.error_info: Optional[Dict[str, Any]] = None
        if status_details:
            self._read_details(status_details)
        match = _FIELD.match(self.message)
        self.field: Optional[str] = None
        if self.violations:
            self.field = self.violations[0][0]
        elif self.error_info and self.error_info["metadata"].get("field"):
            self.field = self.error_info["metadata"]["field"]
        elif match:
            self.field = match.group(1)
        if self.violations:
            self.details = self.violations[0][1]
        elif self.field is not None and self.message.startswith(self.field + ": "):
            self.details = self.message[len(self.field) + 2:]
        else:
            self.details = self.message
        where = f"{method}: " if method else ""
        super().__init__(f"{where}{self.status}: {self.message}")

    def _read_details(self, data: bytes) -> None:
        try:
            status = status_pb2.Status.FromString(data)
        except Exception:  # a malformed trailer: fall back on the message
            return
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                self.violations += [(v.field, v.description) for v in bad_request.field_violations]
            elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                self.error_info = {"reason": info.reason, "domain": info.domain, "metadata": dict(info.metadata)}


class InvalidArgumentError(RewardWeightingError, ValueError):
    """``INVALID_ARGUMENT``: a field of the request is malformed (its path is in ``field``)."""


class NotFoundError(RewardWeightingError, LookupError):
    """``NOT_FOUND``: no run with that id in the caller's tenant (another tenant's run is not found either: run
    ids are unique per tenant)."""


class AlreadyExistsError(RewardWeightingError):
    """``ALREADY_EXISTS``: the run or step exists with a different payload (a retry must resend the same one)."""


class FailedPreconditionError(RewardWeightingError):
    """``FAILED_PRECONDITION``: the run's state forbids the call (step already passed, archived run, wrong
    method)."""


class ResourceExhaustedError(RewardWeightingError):
    """``RESOURCE_EXHAUSTED``: the request is larger than the server accepts."""


class UnauthenticatedError(RewardWeightingError):
    """``UNAUTHENTICATED``: the server checks tokens (``--auth-tokens``) and the call carried none, or one it does
    not know (a wrong, removed or malformed ``authorization: Bearer`` token)."""


class PermissionDeniedError(RewardWeightingError):
    """``PERMISSION_DENIED``: the token is known but its role forbids the call: a ``viewer`` token on a call that
    writes (``CreateRun``, ``Scalarize`` other than validation, ``ReportGradients``, ``ReportProjectedGradients``,
    ``ReportCheckpoint``, ``ResumeRun``, ``ArchiveRun``), or a ``trainer``/``viewer`` token naming another tenant
    than its own in ``rw-tenant`` (``field`` is then ``"rw-tenant"``). Another tenant's run is a
    :class:`NotFoundError`, not this."""


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
    return cls(code, details or "", method, status_details=_status_details(error))


def _status_details(error: grpc.RpcError) -> Optional[bytes]:
    """The serialized google.rpc.Status of the call's trailers, if it sent one."""
    trailing = getattr(error, "trailing_metadata", None)
    metadata = trailing() if callable(trailing) else None
    for key, value in metadata or ():
        if key == _DETAILS_KEY and isinstance(value, bytes):
            return value
    return None
