"""The `cleanups` resource (resources.md, bulk.md "Cleanups"): integration tokens only. Lists
filter and sort on every stored attribute (resource type, status, reference, counts, dates)."""

from bulk import cleanups, runner
from bulk.cleanup_serializers import CleanupSerializer
from bulk.models import Cleanup
from commerce.jsonapi.registry import register
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet


@register
class CleanupResource(ResourceView):
    resource_type = "cleanups"
    model = Cleanup
    serializer_class = CleanupSerializer
    triggers = TriggerSet(
        Trigger("_interrupt", runner.interrupt_trigger, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {}

    def create_resource(self, values, ctx):
        return cleanups.create_cleanup(values)

    def update_resource(self, instance, values, ctx):
        # The job's own attributes are create-only: an update writes `reference`,
        # `reference_origin` and `metadata` at most, beside its triggers.
        return runner.update_job(instance, values)

    def delete_resource(self, instance, ctx):
        cleanups.delete_cleanup(instance)
