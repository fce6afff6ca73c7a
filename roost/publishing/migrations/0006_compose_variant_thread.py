from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_fewer_delivery_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="postvariant",
            name="thread",
            field=models.JSONField(blank=True, default=None, null=True, verbose_name="thread"),
        ),
    ]
