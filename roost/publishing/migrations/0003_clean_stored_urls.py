"""Published-post URLs stored before links were checked: keep only absolute http(s) ones."""

from django.db import migrations

from roost.core.urls import safe_http_url


def clean(apps, schema_editor):
    Delivery = apps.get_model("publishing", "Delivery")
    rows = Delivery.objects.exclude(remote_url="").values_list("pk", "remote_url")
    bad = [pk for pk, url in rows.iterator(chunk_size=2000) if safe_http_url(url) != url]
    for start in range(0, len(bad), 500):
        Delivery.objects.filter(pk__in=bad[start : start + 500]).update(remote_url="")


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_calendarfeed")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
