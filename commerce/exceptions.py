"""The one error hierarchy. Services and the API kernel raise these; one handler renders them.

Every error becomes Commerce Layer's error object (api.md section 5): `title`, `detail`, `code`,
`status` (a string), `source.pointer`, `source.parameter` or (JSON:API 1.1) `source.header`,
and `meta`.
"""

from dataclasses import dataclass, field


@dataclass
class ErrorItem:
    status: int
    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None
    meta: dict = field(default_factory=dict)
    header: str | None = None

    def as_json(self) -> dict:
        body = {
            "title": self.title,
            "detail": self.detail,
            "code": self.code,
            "status": str(self.status),
        }
        if self.pointer is not None:
            body["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            body["source"] = {"parameter": self.parameter}
        elif self.header is not None:
            body["source"] = {"header": self.header}
        if self.meta:
            body["meta"] = self.meta
        return body


class CommerceError(Exception):
    """Base error: one or more ErrorItems with one HTTP status."""

    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        title: str | None = None,
        code: str | None = None,
        pointer: str | None = None,
        parameter: str | None = None,
        meta: dict | None = None,
        status: int | None = None,
        header: str | None = None,
    ):
        self.status = status or self.status
        self.header = header
        self.code = code or self.code
        self.title = title or self.title
        self.detail = detail or self.title
        self.pointer = pointer
        self.parameter = parameter
        self.meta = meta or {}
        super().__init__(self.detail)

    def items(self) -> list[ErrorItem]:
        return [
            ErrorItem(
                self.status,
                self.code,
                self.title,
                self.detail,
                self.pointer,
                self.parameter,
                self.meta,
                self.header,
            )
        ]


class BadRequest(CommerceError):
    """400 with one of the JR/CL codes (PARAM_NOT_ALLOWED, INVALID_INCLUDE ...)."""


def param_not_allowed(
    name: str, *, pointer: str | None = None, parameter: str | None = None
) -> BadRequest:
    return BadRequest(
        f"{name} is not allowed.",
        title="Param not allowed",
        code="PARAM_NOT_ALLOWED",
        pointer=pointer,
        parameter=parameter,
    )


class InvalidToken(CommerceError):
    status = 401
    code = "INVALID_TOKEN"
    title = "Invalid token"

    def __init__(self, detail: str = "The access token you provided is invalid.", **kw):
        super().__init__(detail, **kw)


class Unauthorized(CommerceError):
    """A valid token without permission: Commerce Layer answers 401, not 403."""

    status = 401
    code = "UNAUTHORIZED"
    title = "Access denied"

    def __init__(
        self,
        detail: str = ("You are not authorized to perform this action on the requested resource."),
        **kw,
    ):
        super().__init__(detail, **kw)


class NotFound(CommerceError):
    status = 404
    code = "RECORD_NOT_FOUND"
    title = "Record not found"

    def __init__(
        self,
        detail: str = (
            "The requested resource was not found. Please double-check the resource id."
        ),
        **kw,
    ):
        super().__init__(detail, **kw)


class Conflict(CommerceError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class ServiceUnavailable(CommerceError):
    """503: the request took longer than the server allows (limits.md section 1: the database
    statement timeout). `SERVICE_UNAVAILABLE` is the name limits.md gives; Commerce Layer's
    exact code for it is unconfirmed."""

    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service unavailable"


class RecordNotUnique(CommerceError):
    status = 409
    code = "RECORD_NOT_UNIQUE"
    title = "Record not unique"


class Locked(CommerceError):
    status = 423
    code = "LOCKED"
    title = "Locked"

    def __init__(self, detail: str = "The resource cannot be deleted because it is in use.", **kw):
        super().__init__(detail, **kw)


class ValidationError(CommerceError):
    """422 on one attribute or relationship: title is the message, detail `name - message`."""

    status = 422
    code = "VALIDATION_ERROR"

    def __init__(
        self,
        name: str,
        message: str,
        *,
        error: str = "invalid",
        relationship: bool = False,
        pointer: str | None = None,
        **meta,
    ):
        section = "relationships" if relationship else "attributes"
        super().__init__(
            f"{name} - {message}",
            title=message,
            pointer=pointer or f"/data/{section}/{name}",
            meta={"error": error, **meta},
        )
        self.name = name


class ValidationErrors(CommerceError):
    """Several 422s at once, so a client can show them all (one object per problem)."""

    status = 422
    code = "VALIDATION_ERROR"

    def __init__(self, errors: list[ValidationError]):
        self.errors = list(errors)
        super().__init__("; ".join(e.detail for e in self.errors))

    def items(self) -> list[ErrorItem]:
        return [item for error in self.errors for item in error.items()]


class InvalidTransition(ValidationError):
    """A trigger asked for a move the resource's state machine does not allow."""

    def __init__(self, from_status: str, to_status: str, *, message: str | None = None):
        super().__init__(
            "status",
            message or f"cannot transition from {from_status} to {to_status}",
            error="transition",
            **{"from": from_status, "to": to_status},
        )
