"""Data written before the security fixes:
- message URLs from networks: keep only absolute http(s) ones (others become plain text);
- the webhook delivery log: keep the error's class ("HTTP 500", "ConnectError"), never the
  body of the receiver's answer or an exception's text, which can describe a private network.
"""

import re

from django.db import migrations

from roost.core.urls import blank_unsafe_urls

CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def error_class(code, text):
    if code is not None:
        return f"HTTP {code}"
    head = text.split(":", 1)[0].strip()
    if head == "Refused":
        return text[:100]
    return head if CLASS_NAME.fullmatch(head) else "Error"


def clean(apps, schema_editor):
    blank_unsafe_urls(apps.get_model("inbox", "Message").objects.all(), "url")

    WebhookDelivery = apps.get_model("inbox", "WebhookDelivery")
    logged = WebhookDelivery.objects.exclude(last_error="").values_list(
        "pk", "response_code", "last_error"
    )
    for pk, code, text in logged.iterator(chunk_size=2000):
        cleaned = error_class(code, text)
        if cleaned != text:
            WebhookDelivery.objects.filter(pk=pk).update(last_error=cleaned)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0006_rule_and_endpoint_failures")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
