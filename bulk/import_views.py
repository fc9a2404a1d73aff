"""The `imports` resource (resources.md, bulk.md "Imports"): integration tokens only. Lists
filter and sort on every stored attribute (resource type, status, reference, counts, dates)."""

from bulk import imports, runner
from bulk.import_serializers import ImportSerializer
from bulk.models import Import
from commerce.jsonapi.registry import register
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet


@register
class ImportResource(ResourceView):
    resource_type = "imports"
    model = Import
    serializer_class = ImportSerializer
    triggers = TriggerSet(
        Trigger("_interrupt", runner.interrupt_trigger, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {}
    # The create's answer is the created job as written: it echoes `inputs` (bulk.md).
    answers_from_write = True

    def create_resource(self, values, ctx):
        return imports.create_import(values)

    def update_resource(self, instance, values, ctx):
        # The job's own attributes are create-only: an update writes `reference`,
        # `reference_origin` and `metadata` at most, beside its triggers.
        return runner.update_job(instance, values)

    def delete_resource(self, instance, ctx):
        imports.delete_import(instance)
