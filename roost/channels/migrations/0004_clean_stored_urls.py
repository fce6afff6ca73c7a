"""Profile URLs stored before links were checked: keep only absolute http(s) ones."""

from django.db import migrations

from roost.core.urls import blank_unsafe_urls


def clean(apps, schema_editor):
    blank_unsafe_urls(apps.get_model("channels", "Channel").objects.all(), "profile_url")


class Migration(migrations.Migration):
    dependencies = [("channels", "0003_channel_failures_and_next_poll")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
