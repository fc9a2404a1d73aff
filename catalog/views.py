"""The catalog's resources: sku_lists and sku_list_items (registered on import)."""
