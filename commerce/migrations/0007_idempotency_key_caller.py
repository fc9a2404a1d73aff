# Idempotency keys of guest sales-channel tokens are scoped to the token, those of customer
# tokens to the customer (commerce.idempotency, limits.md §7). Written by hand: makemigrations
# trips over django-oauth-toolkit's swappable application model setting.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("commerce", "0006_rate_counter")]

    operations = [
        migrations.AddField(
            model_name="idempotencykey",
            name="caller",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.RemoveConstraint(model_name="idempotencykey", name="idempotency_key_unique"),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("application", "caller", "key"), name="idempotency_key_unique_per_caller"
            ),
        ),
    ]
