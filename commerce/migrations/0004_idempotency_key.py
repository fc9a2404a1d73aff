# Idempotency-Key records (commerce.idempotency). Written by hand: makemigrations trips over
# django-oauth-toolkit's swappable application model setting.

import django.db.models.deletion
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings


class Migration(migrations.Migration):

    dependencies = [
        ("commerce", "0003_counter_event"),
        migrations.swappable_dependency(oauth2_settings.APPLICATION_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=255)),
                ("fingerprint", models.CharField(max_length=64)),
                ("method", models.CharField(max_length=10)),
                ("path", models.TextField()),
                ("state", models.CharField(choices=[("running", "running"), ("done", "done")], default="running", max_length=16)),
                ("owner", models.UUIDField()),
                ("created_at", models.DateTimeField(db_index=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("content_type", models.CharField(blank=True, default="", max_length=255)),
                ("body", models.BinaryField(blank=True, null=True)),
                ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=oauth2_settings.APPLICATION_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("application", "key"), name="idempotency_key_unique")],
            },
        ),
    ]
