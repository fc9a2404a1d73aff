"""Rate limits of the API (auth.md "Throttling", api.md section 6, limits.md §6).

Each API client has a read and a write budget per period (settings API_THROTTLE_RATES). The
budget belongs to the client, not to a token: minting a new token does not reset it. A sales
channel has no secret (anyone may use its client id), so its budget, and that of the customer
tokens it issues, is the client's per caller IP (commerce/client_ip.py). Counters are atomic and
shared by every worker and machine (commerce/ratelimit.py: Redis when REDIS_URL is set, else the
database), one statement per request. Past the limit: 429 with Retry-After; every API answer
carries Commerce Layer's X-Ratelimit-Limit/-Interval/-Remaining headers.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from commerce import ratelimit
from commerce.auth.context import TokenContext
from commerce.client_ip import caller_ip, ip_key

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def api_budget(request, ctx: TokenContext, scope: str) -> ratelimit.Budget:
    """The `scope` (read or write) budget this request spends."""
    key = f"api:{scope}:{ctx.application_id}"
    if not ctx.is_integration:  # a public client: the budget is per caller
        key += f":{ip_key(caller_ip(request))}"
    return ratelimit.Budget(key, ratelimit.parse_rate(settings.API_THROTTLE_RATES[scope]))


class ApiClientRateThrottle(BaseThrottle):
    """DRF throttle (one instance per request) over the API client's budgets."""

    retry_after = None

    def allow_request(self, request, view):
        if not settings.API_THROTTLE_ENABLED or not isinstance(request.auth, TokenContext):
            return True
        scope = "read" if request.method in SAFE_METHODS else "write"
        usages = ratelimit.spend([api_budget(request, request.auth, scope)])
        if not usages:  # the counters failed (logged): let it through
            return True
        (usage,) = usages
        request.ratelimit_headers = {
            "X-Ratelimit-Limit": str(usage.limit),
            "X-Ratelimit-Interval": str(usage.period),
            "X-Ratelimit-Remaining": str(usage.remaining),
        }
        self.retry_after = usage.retry_after
        return usage.allowed

    def wait(self):
        return self.retry_after
