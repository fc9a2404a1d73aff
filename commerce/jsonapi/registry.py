"""Resource type -> its resource class (a ResourceView subclass). Filled by each app's views."""

registry: dict[str, type] = {}


def register(resource_cls):
    if resource_cls.resource_type in registry:
        raise RuntimeError(f"resource type {resource_cls.resource_type} registered twice")
    registry[resource_cls.resource_type] = resource_cls
    return resource_cls


# Path under /api -> view of a read-only singleton (`application`, `organization`: resources.md),
# served at that path without id (routing.py). Filled by commerce/application_views.py.
singletons: dict[str, type] = {}


def register_singleton(view_cls):
    if view_cls.path in singletons:
        raise RuntimeError(f"singleton /api/{view_cls.path} registered twice")
    singletons[view_cls.path] = view_cls
    return view_cls
