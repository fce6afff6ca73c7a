# The inbox list's index in the list's own order (newest first, then by id): a poll
# stores a page of items with one received_at, which the database otherwise sorted whole
# to show the first 50.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0008_reply_idempotency_key"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="message",
            name="inbox_list",
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["workspace", "status", "-received_at", "-id"], name="inbox_list"
            ),
        ),
    ]
