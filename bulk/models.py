"""Bulk jobs (bulk.md "Jobs"): imports, exports and cleanups, each split into chunks that the
task workers claim with a lease (as webhook deliveries are), and the files they produce, stored
in the database in chunks of at most 1 MiB so that any app server serves them."""

from django.db import models
from django.db.models import Q

from commerce.models import Resource

JOB_STATUSES = [
    ("pending", "pending"),
    ("in_progress", "in_progress"),
    ("interrupted", "interrupted"),
    ("completed", "completed"),
]
FORMATS = [("json", "json"), ("csv", "csv")]


class Job(Resource):
    """What every job has: its resource type, its status and the moves' stamps, its counts
    (grown by atomic increments while it runs) and its error log."""

    resource_type = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=JOB_STATUSES, default="pending", db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    interrupted_at = models.DateTimeField(null=True, blank=True)
    processed_count = models.PositiveIntegerField(default=0)
    errors_count = models.PositiveIntegerField(default=0)
    errors_log = models.JSONField(default=dict, blank=True)
    # Chunks planned and finished: the worker finishing the last one completes the job.
    chunks_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class Import(Job):
    format = models.CharField(max_length=4, choices=FORMATS, default="json")
    parent_resource_id = models.CharField(max_length=10, null=True, blank=True)
    skip_errors = models.BooleanField(default=False)
    # The records to import, parsed (a list of flat objects); emptied once the import ends
    # (then `attachment_url` links a gzipped copy).
    inputs = models.JSONField(null=True, blank=True)
    inputs_size = models.PositiveIntegerField(default=0)
    warnings_count = models.PositiveIntegerField(default=0)
    warnings_log = models.JSONField(default=dict, blank=True)


class Export(Job):
    STATUSES = [*JOB_STATUSES, ("failed", "failed")]

    format = models.CharField(max_length=4, choices=FORMATS, default="json")
    includes = models.JSONField(null=True, blank=True)
    fields = models.JSONField(null=True, blank=True)
    filters = models.JSONField(null=True, blank=True)
    dry_data = models.BooleanField(default=False)
    jwt_filters = models.BooleanField(null=True, blank=True)
    records_count = models.PositiveIntegerField(default=0)
    estimated_completion_at = models.DateTimeField(null=True, blank=True)


class Cleanup(Job):
    filters = models.JSONField(null=True, blank=True)
    records_count = models.PositiveIntegerField(default=0)
    # The ids (primary keys) matching when the cleanup started: later records are not touched.
    record_ids = models.JSONField(null=True, blank=True)


class JobChunk(models.Model):
    """One unit of a job's work (a range of its records), a task claimed with a lease: a dead
    worker's chunk is taken over when its lease expires."""

    KINDS = [("imports", "imports"), ("exports", "exports"), ("cleanups", "cleanups")]
    STATUSES = [("pending", "pending"), ("running", "running"), ("done", "done")]

    kind = models.CharField(max_length=8, choices=KINDS)
    job_id = models.BigIntegerField()
    position = models.PositiveIntegerField()  # 0-based
    first = models.PositiveIntegerField()  # the records [first, last) of the job's list
    last = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=STATUSES, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "job_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "job_id", "position"], name="job_chunk_unique_position"
            ),
        ]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="job_chunk_claim")]

    def __str__(self):
        return f"{self.kind}/{self.job_id}#{self.position}"


class FileChunk(models.Model):
    """A piece (at most 1 MiB) of a job's gzipped file: an export's records, an import's copy
    of its inputs. Read in `position` order, they are the file."""

    KINDS = JobChunk.KINDS

    kind = models.CharField(max_length=8, choices=KINDS)
    job_id = models.BigIntegerField()
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["kind", "job_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "job_id", "position"], name="file_chunk_unique_position"
            ),
            models.CheckConstraint(condition=Q(position__gte=0), name="file_chunk_position"),
        ]

    def __str__(self):
        return f"{self.kind}/{self.job_id} part {self.position}"
