# API client profiles and resolved token scopes (commerce.auth), beside django-oauth-toolkit's
# applications and access tokens.

import django.db.models.deletion
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings

import commerce.ids


class Migration(migrations.Migration):

    dependencies = [
        ("commerce", "0001_initial"),
        migrations.swappable_dependency(oauth2_settings.APPLICATION_MODEL),
        migrations.swappable_dependency(oauth2_settings.ACCESS_TOKEN_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiClient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.CharField(default=commerce.ids.new_public_id, editable=False, max_length=10, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("reference", models.CharField(blank=True, max_length=255, null=True)),
                ("reference_origin", models.CharField(blank=True, max_length=255, null=True)),
                ("metadata", models.JSONField(blank=True, default=dict)),
                ("kind", models.CharField(choices=[("integration", "integration"), ("sales_channel", "sales_channel")], max_length=32)),
                ("scope", models.CharField(blank=True, default="", max_length=1000)),
                ("application", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="api_client", to=oauth2_settings.APPLICATION_MODEL)),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="AccessTokenScope",
            fields=[
                ("access_token", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="commerce_scope", serialize=False, to=oauth2_settings.ACCESS_TOKEN_MODEL)),
                ("kind", models.CharField(max_length=32)),
                ("market_ids", models.JSONField(blank=True, null=True)),
                ("stock_location_ids", models.JSONField(blank=True, default=list)),
                ("customer_id", models.BigIntegerField(blank=True, null=True)),
                ("customer_public_id", models.CharField(blank=True, max_length=10, null=True)),
            ],
        ),
    ]
