"""Per-token rate limits (auth.md, api.md section 6).

Each access token has a read and a write budget per window (settings API_THROTTLE_RATES). The
counters live in the default cache — Redis when REDIS_URL is set, the database otherwise — so
every gunicorn worker and every machine shares them. Past the limit: 429 with Retry-After;
every API answer carries Commerce Layer's X-Ratelimit-Limit/-Interval/-Remaining headers.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from commerce.auth.context import TokenContext

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenRateThrottle(SimpleRateThrottle):
    def __init__(self):
        # Rates are read per request (settings may change them, e.g. for the benchmark).
        pass

    def allow_request(self, request, view):
        if not settings.API_THROTTLE_ENABLED or not isinstance(request.auth, TokenContext):
            return True
        self.scope = "read" if request.method in SAFE_METHODS else "write"
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        remaining = max(self.num_requests - len(self.history), 0)
        request.ratelimit_headers = {
            "X-Ratelimit-Limit": str(self.num_requests),
            "X-Ratelimit-Interval": str(self.duration),
            "X-Ratelimit-Remaining": str(remaining),
        }
        return allowed

    def get_cache_key(self, request, view):
        ctx = request.auth
        ident = ctx.token_id if ctx.token_id is not None else f"{ctx.client_id}"
        return f"throttle:{self.scope}:{ident}"
