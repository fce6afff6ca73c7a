# Ingestion writes up to a conversation per message and a message per item: index only
# what is read. The single-column indexes Django made for five references go (on the
# conversation's channel, which the unique (channel, key) covers, and on its
# last_message_at, which nothing reads); the nullable references are indexed only where
# set, as are "mine" and a group's filter. The old indexes are dropped by name rather than
# by altering the fields, which on SQLite would copy both tables four times over.

import django.db.models.deletion
import roost.core.clock
from django.conf import settings
from django.db import migrations, models

# (table, column, the index Django made for it)
DROPPED = [
    ("inbox_conversation", "channel_id", "inbox_conversation_channel_id_8b41ed11"),
    ("inbox_conversation", "delivery_id", "inbox_conversation_delivery_id_c25ea614"),
    ("inbox_conversation", "last_message_at", "inbox_conversation_last_message_at_7dad2fc1"),
    ("inbox_message", "assignee_id", "inbox_message_assignee_id_c15c5aae"),
    ("inbox_message", "completed_by_id", "inbox_message_completed_by_id_a7755d1f"),
    ("inbox_message", "group_id", "inbox_message_group_id_20ec8c7c"),
    ("inbox_message", "sent_by_id", "inbox_message_sent_by_id_d522022d"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0009_inbox_list_in_list_order"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="channels.channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="delivery",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="publishing.delivery",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="last_message_at",
                    field=models.DateTimeField(default=roost.core.clock.now),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workspaces.membership",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="completed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="group",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workspaces.group",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="sent_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workspaces.membership",
                    ),
                ),
            ],
        ),
        migrations.RemoveIndex(model_name="message", name="inbox_mine"),
        migrations.RemoveIndex(model_name="message", name="inbox_group"),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(delivery__isnull=False),
                fields=["delivery"],
                name="conversation_delivery",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(assignee__isnull=False),
                fields=["workspace", "assignee", "status"],
                name="inbox_mine",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(group__isnull=False),
                fields=["workspace", "group", "status"],
                name="inbox_group",
            ),
        ),
        *(
            migrations.AddIndex(
                model_name="message",
                index=models.Index(
                    condition=models.Q(**{f"{name}__isnull": False}),
                    fields=[name],
                    name=f"inbox_message_{name}",
                ),
            )
            for name in ("assignee", "group", "completed_by", "sent_by")
        ),
    ]
