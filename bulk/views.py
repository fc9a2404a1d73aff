"""The bulk jobs' resources (imports, exports, cleanups): registered by their own modules."""
