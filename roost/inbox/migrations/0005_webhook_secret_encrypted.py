"""Webhook signing secrets move to an encrypted column (roost.core.crypto, like channel
credentials), with room for the previous secret during a rotation's grace period.

Reversible while the keys that encrypted the secrets are configured: going back decrypts
them into the plaintext column again.
"""

from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from roost.core.crypto import encrypt_json

    Endpoint = apps.get_model("inbox", "WebhookEndpoint")
    for pk, secret in Endpoint.objects.values_list("pk", "secret").iterator():
        Endpoint.objects.filter(pk=pk).update(secret_encrypted=encrypt_json({"secret": secret}))


def decrypt_secrets(apps, schema_editor):
    from roost.core.crypto import decrypt_json

    Endpoint = apps.get_model("inbox", "WebhookEndpoint")
    for pk, token in Endpoint.objects.values_list("pk", "secret_encrypted").iterator():
        secret = str(decrypt_json(token).get("secret", ""))
        Endpoint.objects.filter(pk=pk).update(secret=secret)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0004_replydraft"),
    ]

    operations = [
        # A default, so that unapplying this migration can add the column back.
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_encrypted",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_encrypted",
            field=models.TextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(
            model_name="webhookendpoint",
            name="secret",
        ),
    ]
