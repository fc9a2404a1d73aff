# Rate-limit counters of the database backend (commerce.ratelimit). On PostgreSQL the table is
# UNLOGGED: counters need no crash safety, and a request's counter write then waits for no WAL
# flush.

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE commerce_ratecounter SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("commerce", "0005_cache_table")]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("bucket", models.BigIntegerField()),
                ("current", models.IntegerField()),
                ("previous", models.IntegerField()),
                ("expires_at", models.FloatField(db_index=True)),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
