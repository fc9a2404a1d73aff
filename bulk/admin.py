"""Admin of the bulk jobs (bulk.md; issue 22 item 5): imports, exports and cleanups listed with
their status, counts and error log (read-only: they change only by their runs), and a form to
start an import from an uploaded CSV or JSON file through the same service as the API
(bulk/imports.py `create_import`). Chunks and file pieces are shown for diagnosis, read-only."""

import json

from django import forms
from django.contrib import admin
from django.db.models.functions import Length
from django.utils.html import format_html

from bulk import cleanups, imports
from bulk.models import Cleanup, Export, FileChunk, Import, JobChunk
from commerce.admin import RESOURCE_READONLY, ReadOnlyAdmin, ResourceAdmin
from commerce.exceptions import CommerceError, ValidationErrors

JOB_LIST = (
    "public_id",
    "resource_type",
    "status",
    "processed_count",
    "errors_count",
    "created_at",
    "completed_at",
    "interrupted_at",
)
JOB_READONLY = (
    *RESOURCE_READONLY,
    "resource_type",
    "status",
    "started_at",
    "completed_at",
    "interrupted_at",
    "processed_count",
    "errors_count",
    "chunks_count",
    "chunks_done",
    "errors_log_text",
    "reference",
    "reference_origin",
)


class JobAdmin(ResourceAdmin):
    """A job as its runs left it: nothing to edit."""

    list_display = JOB_LIST
    list_filter = ("status", "resource_type")
    search_fields = ("public_id", "reference", "resource_type")
    readonly_fields = JOB_READONLY
    exclude = ("errors_log", "metadata")

    @admin.display(description="errors log")
    def errors_log_text(self, job):
        return format_html("<pre>{}</pre>", json.dumps(job.errors_log or {}, indent=2))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ImportUploadForm(forms.ModelForm):
    """Start an import: its type, format and options, and the file holding its records."""

    resource_type = forms.ChoiceField(choices=[(t, t) for t in imports.UNIQUE_KEYS])
    file = forms.FileField(help_text="CSV (a header line, then a line per record) or JSON array")

    class Meta:
        model = Import
        fields = ("resource_type", "format", "parent_resource_id", "skip_errors")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        fmt = cleaned.get("format") or "json"
        if upload is None:
            return cleaned
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        if fmt == "json":
            try:
                inputs = json.loads(text)
            except ValueError as exc:
                raise forms.ValidationError(f"The file is not JSON: {exc}") from None
        else:
            inputs = text
        try:
            imports.resource_class(cleaned.get("resource_type"))
            imports.parse_inputs(fmt, inputs)
        except (CommerceError, ValidationErrors) as exc:
            raise forms.ValidationError(str(exc.detail)) from None
        cleaned["inputs"] = inputs
        return cleaned


@admin.register(Import)
class ImportAdmin(JobAdmin):
    readonly_fields = (*JOB_READONLY, "format", "parent_resource_id", "skip_errors", "inputs_size")

    def has_add_permission(self, request):
        return super(JobAdmin, self).has_add_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
            kwargs["fields"] = (*ImportUploadForm.Meta.fields, "file")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*ImportUploadForm.Meta.fields, "file")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        job = imports.create_import(
            {
                "resource_type": data["resource_type"],
                "format": data.get("format") or "json",
                "parent_resource_id": data.get("parent_resource_id"),
                "skip_errors": data.get("skip_errors"),
                "inputs": data["inputs"],
            }
        )
        obj.pk, obj.public_id = job.pk, job.public_id

    def save_related(self, request, form, formsets, change):
        pass  # an import has no related rows to save

    def delete_model(self, request, obj):
        imports.delete_import(obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            imports.delete_import(job)


@admin.register(Export)
class ExportAdmin(JobAdmin):
    list_display = (*JOB_LIST, "records_count", "download")
    readonly_fields = (
        *JOB_READONLY,
        "format",
        "records_count",
        "filters",
        "includes",
        "fields",
        "dry_data",
        "download",
    )

    @admin.display(description="file")
    def download(self, export):
        """The signed link of a completed export's file (valid 5 minutes: bulk/files.py)."""
        from bulk import exports

        url = exports.attachment_url(export)
        if url is None:
            return "-"
        path = url[url.index("/api/") :]  # on the admin's own host
        return format_html('<a href="{}">{}.{}.gz</a>', path, export.public_id, export.format)

    def delete_model(self, request, obj):
        from bulk import exports

        exports.delete_export(obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            self.delete_model(request, job)


@admin.register(Cleanup)
class CleanupAdmin(JobAdmin):
    readonly_fields = (*JOB_READONLY, "records_count", "filters")
    exclude = (*JobAdmin.exclude, "record_ids")

    def delete_model(self, request, obj):
        cleanups.delete_cleanup(obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            cleanups.delete_cleanup(job)


@admin.register(JobChunk)
class JobChunkAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "job_id", "position", "first", "last", "status", "attempts")
    list_filter = ("kind", "status")
    search_fields = ("kind",)
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(FileChunk)
class FileChunkAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "job_id", "position", "size")
    list_filter = ("kind",)
    search_fields = ("kind",)
    exclude = ("data",)
    readonly_fields = ("kind", "job_id", "position", "size")
    ordering = ("-id",)
    show_full_result_count = False

    def get_queryset(self, request):
        # The piece's size from SQL: its bytes are never loaded for a list.
        return super().get_queryset(request).defer("data").annotate(data_size=Length("data"))

    @admin.display(description="bytes")
    def size(self, piece):
        return piece.data_size
