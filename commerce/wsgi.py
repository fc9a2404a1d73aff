import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
application = get_wsgi_application()


def tune_garbage_collector(threshold: int) -> None:
    """What the app loaded stays for the process's life: freeze it out of the collector's
    scans, and collect the youngest generation less often (settings.GC_THRESHOLD)."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])


tune_garbage_collector(settings.GC_THRESHOLD)
