"""SKU lists (catalog.md "SKU lists"): named sets of SKUs that promotions, their rules and
(later) bundles point at. Below `markets`: a promotion refers to a list, never the reverse."""

from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from commerce.models import Resource
from inventory.models import Sku


class SkuList(Resource):
    """Manual (its `sku_list_items`) or automatic (every SKU whose code matches
    `sku_code_regex`, unanchored as Ruby's `=~`); `manual` is derived from the regex."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, db_index=True, editable=False)
    description = models.TextField(max_length=5000, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    sku_code_regex = models.CharField(max_length=5000, null=True, blank=True)

    @property
    def manual(self) -> bool:
        return not self.sku_code_regex

    def save(self, *args, **kwargs):
        self.slug = slugify(self.name)[:255] or self.public_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "slug"}
        super().save(*args, **kwargs)


class SkuListItem(Resource):
    sku_list = models.ForeignKey(SkuList, on_delete=models.CASCADE, related_name="sku_list_items")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="sku_list_items")
    position = models.PositiveIntegerField(default=1)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sku_list", "sku"], name="sku_list_item_unique_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="sku_list_item_quantity_gte_1"
            ),
        ]

    @property
    def sku_code(self) -> str:
        return self.sku.code
