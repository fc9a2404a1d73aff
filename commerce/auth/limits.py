"""Limits of `POST /oauth/token` (limits.md §6), spent before the client is authenticated.

- Every token request spends the budget of its client id and caller IP (OAUTH_TOKEN_RATE,
  default 30 a minute), known client or not.
- A password grant also spends two budgets of its username: with the caller IP
  (PASSWORD_FAILURES_PER_IP_RATE, default 10 in 15 minutes) and alone (PASSWORD_FAILURES_RATE,
  default 100 in 15 minutes). Every attempt is counted up front, atomically, and given back when
  it gets a token: so they count the attempts that failed, and racing attempts cannot slip past
  the count. Past the first, the username is refused from that IP whatever the password, until
  its failures slide out of the window; past the second, from everywhere (an attack spread over
  many addresses), while one address alone can never lock a customer out.

Budgets are keyed by hashes: an unknown username counts and answers exactly like a known one,
and the counters store no email address. All three are spent in one atomic operation; a refusal
is a 429 in the token endpoint's error shape, with Retry-After.
"""

import hashlib

from django.conf import settings

from commerce import ratelimit
from commerce.auth.exceptions import TooManyRequests
from commerce.auth.grants import PASSWORD
from commerce.client_ip import caller_ip, ip_key


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class TokenRequestLimits:
    """The budgets one token request spends; `spend()` raises TooManyRequests past any."""

    def __init__(self, request, client_id: str | None, grant_type: str | None, params):
        self.budgets, self.password_budgets = [], []
        if not settings.API_THROTTLE_ENABLED:
            return
        ip = ip_key(caller_ip(request))
        self.budgets = [
            ratelimit.Budget(
                f"oauth:{_digest(client_id or '')}:{ip}",
                ratelimit.parse_rate(settings.OAUTH_TOKEN_RATE),
            )
        ]
        username = params.get("username")
        if grant_type == PASSWORD and username:
            user = _digest(username.lower())
            self.password_budgets = [
                ratelimit.Budget(
                    f"password:{user}:{ip}",
                    ratelimit.parse_rate(settings.PASSWORD_FAILURES_PER_IP_RATE),
                ),
                ratelimit.Budget(
                    f"password:{user}", ratelimit.parse_rate(settings.PASSWORD_FAILURES_RATE)
                ),
            ]

    def spend(self) -> None:
        usages = ratelimit.spend(self.budgets + self.password_budgets) or []
        refused = [usage for usage in usages if not usage.allowed]
        if refused:
            raise TooManyRequests(retry_after=max(usage.retry_after for usage in refused))

    def succeeded(self) -> None:
        """A token was issued: the password attempt was no failure."""
        if self.password_budgets:
            ratelimit.give_back(self.password_budgets)
