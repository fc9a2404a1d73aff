"""The bulk jobs' resources (imports, exports, cleanups): registered by their own modules."""

from bulk import (
    cleanup_views,  # noqa: F401  (registers `cleanups`)
    export_views,  # noqa: F401  (registers `exports`)
    import_views,  # noqa: F401  (registers `imports`)
)
