"""Profile URLs stored before links were checked: keep only absolute http(s) ones."""

from django.db import migrations

from roost.core.urls import safe_http_url


def clean(apps, schema_editor):
    Channel = apps.get_model("channels", "Channel")
    rows = Channel.objects.exclude(profile_url="").values_list("pk", "profile_url")
    bad = [pk for pk, url in rows.iterator(chunk_size=2000) if safe_http_url(url) != url]
    for start in range(0, len(bad), 500):
        Channel.objects.filter(pk__in=bad[start : start + 500]).update(profile_url="")


class Migration(migrations.Migration):
    dependencies = [("channels", "0003_channel_failures_and_next_poll")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
