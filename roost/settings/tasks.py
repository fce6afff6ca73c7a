"""Background work: Django's tasks framework on the django-tasks-db ORM backend."""

from roost.settings.env import env_int, env_str

TASKS = {
    "default": {
        "BACKEND": env_str("ROOST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A worker that has not written a heartbeat for this long is reported as down.
ROOST_WORKER_STALE_SECONDS = float(env_str("ROOST_WORKER_STALE_SECONDS", "30"))
ROOST_WORKER_HEARTBEAT_SECONDS = float(env_str("ROOST_WORKER_HEARTBEAT_SECONDS", "5"))
# A RUNNING task whose worker has not written a heartbeat for this long is taken as
# abandoned (its worker was killed): the reaper marks it failed and re-runs it if it may.
# Keep it several heartbeats long (see docs/operations.md).
ROOST_TASK_LEASE_SECONDS = float(env_str("ROOST_TASK_LEASE_SECONDS", "60"))

# The publisher (runs inside `roost worker`): see roost/publishing/publisher.py.
ROOST_PUBLISH_CONCURRENCY = env_int("ROOST_PUBLISH_CONCURRENCY", 512)  # calls in flight
ROOST_PUBLISH_PER_CHANNEL = env_int("ROOST_PUBLISH_PER_CHANNEL", 8)
ROOST_PUBLISH_PER_NETWORK = {"sandbox": 512, "bluesky": 32, "mastodon": 32}
ROOST_PUBLISH_POLL_SECONDS = float(env_str("ROOST_PUBLISH_POLL_SECONDS", "0.2"))
ROOST_PUBLISH_MAX_ATTEMPTS = env_int("ROOST_PUBLISH_MAX_ATTEMPTS", 8)
ROOST_PUBLISH_BACKOFF_BASE = float(env_str("ROOST_PUBLISH_BACKOFF_BASE", "5"))
ROOST_PUBLISH_BACKOFF_CAP = 15 * 60.0
# Longer than any network call may take (connectors time out well before).
ROOST_PUBLISH_LEASE_SECONDS = env_int("ROOST_PUBLISH_LEASE_SECONDS", 180)
ROOST_SANDBOX_URL = env_str("ROOST_SANDBOX_URL", "http://127.0.0.1:8025")
# Analytics (roost/analytics/services/collection.py): how often due post readings are
# collected, and how often each channel's audience is read.
ROOST_ANALYTICS_COLLECT_MINUTES = env_int("ROOST_ANALYTICS_COLLECT_MINUTES", 5)
ROOST_ANALYTICS_AUDIENCE_HOURS = env_int("ROOST_ANALYTICS_AUDIENCE_HOURS", 6)
# Listening (roost/listening/services/collect.py): how often topics' searches are polled.
ROOST_LISTENING_COLLECT_MINUTES = env_int("ROOST_LISTENING_COLLECT_MINUTES", 5)
# Paid media (roost/paid/services/sync.py): how often Sandbox Ads figures are synced, how
# many days back each sync asks for, and how many accounts are asked at once.
ROOST_PAID_SYNC_MINUTES = env_int("ROOST_PAID_SYNC_MINUTES", 60)
ROOST_PAID_SYNC_DAYS = env_int("ROOST_PAID_SYNC_DAYS", 28)
ROOST_PAID_SYNC_THREADS = env_int("ROOST_PAID_SYNC_THREADS", 4)
ROOST_INBOX_POLL_SECONDS = env_int("ROOST_INBOX_POLL_SECONDS", 30)
# Listening spike alerts (roost/listening/services/alerts.py): hours after a spike was last
# seen before another alert of its kind may fire for the same topic.
ROOST_LISTENING_ALERT_COOLDOWN_HOURS = env_int("ROOST_LISTENING_ALERT_COOLDOWN_HOURS", 6)
