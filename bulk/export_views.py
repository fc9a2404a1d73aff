"""The `exports` resource (resources.md, bulk.md "Exports"): integration tokens only. Lists
filter and sort on every stored attribute (resource type, status, reference, counts, dates)."""

from bulk import exports, runner
from bulk.export_serializers import ExportSerializer
from bulk.models import Export
from commerce.jsonapi.registry import register
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet


@register
class ExportResource(ResourceView):
    resource_type = "exports"
    model = Export
    serializer_class = ExportSerializer
    triggers = TriggerSet(
        Trigger("_start", exports.start, kinds=INTEGRATION_ONLY, on_create=False),
        Trigger("_interrupt", runner.interrupt_trigger, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {}

    def create_resource(self, values, ctx):
        return exports.create_export(values)

    def update_resource(self, instance, values, ctx):
        # The job's own attributes are create-only: an update writes `reference`,
        # `reference_origin` and `metadata` at most, beside its triggers.
        return runner.update_job(instance, values)

    def delete_resource(self, instance, ctx):
        exports.delete_export(instance)
