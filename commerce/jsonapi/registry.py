"""Resource type -> its resource class (a ResourceView subclass). Filled by each app's views."""

registry: dict[str, type] = {}


def register(resource_cls):
    if resource_cls.resource_type in registry:
        raise RuntimeError(f"resource type {resource_cls.resource_type} registered twice")
    registry[resource_cls.resource_type] = resource_cls
    return resource_cls
