"""Published-post URLs stored before links were checked: keep only absolute http(s) ones."""

from django.db import migrations

from roost.core.urls import blank_unsafe_urls


def clean(apps, schema_editor):
    blank_unsafe_urls(apps.get_model("publishing", "Delivery").objects.all(), "remote_url")


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_calendarfeed")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
