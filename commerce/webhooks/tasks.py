"""Where tasks queued before the task moved into services.py find it (a queued task names its
function by module path)."""

from commerce.webhooks.services import deliver_webhook

__all__ = ["deliver_webhook"]
