"""JSON:API resource of tags (bulk.md "Tags"): integration tokens only, like every kernel
resource without an `access` of its own (others: 401). Registered on import (commerce/apps.py).

Deleting a tag detaches it from every record (its Tagging rows cascade). Which resources carry
tags, and how they are attached, is commerce/tags.py.
"""

from commerce.jsonapi.registry import register
from commerce.jsonapi.views import ResourceView
from commerce.models import Tag
from commerce.tag_serializers import TagSerializer


@register
class TagResource(ResourceView):
    resource_type = "tags"
    model = Tag
    serializer_class = TagSerializer
    # A tag is a label: nothing depends on it (its taggings go with it).
    delete_refusals = ()
