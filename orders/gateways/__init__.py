"""The calls to payment gateways (payments.md): one module per gateway kind that calls out
(`stripe_gateway`, `external_gateway`), used by the services in orders/services, never by views.
Each sorts what went wrong into the two outcomes the services record: `Refused` (the gateway
answered no) and `Unavailable` (no usable answer)."""


class Refused(Exception):
    """The gateway answered with a refusal: `message` is its message, `code` its error code,
    `detail` more of it (Stripe's decline code), `bad_key` whether the credentials themselves
    were refused."""

    def __init__(
        self, message: str, code: str | None = None, *, detail=None, bad_key: bool = False
    ):
        super().__init__(message)
        self.message, self.code, self.detail, self.bad_key = message, code, detail, bad_key


class Unavailable(Exception):
    """No usable answer; `reason` says why (`timeout`, `connection`, `http 503`), `code` is
    `gateway_unavailable`, or `circuit_open` when the call was not even made."""

    def __init__(self, reason: str, code: str = "gateway_unavailable"):
        super().__init__(f"Gateway unavailable: {reason}")
        self.reason, self.code = reason, code
