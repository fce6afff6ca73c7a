"""Background work: Django's tasks framework on the django-tasks-db ORM backend."""

from roost.settings.env import env_str

TASKS = {
    "default": {
        "BACKEND": env_str("ROOST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A worker that has not written a heartbeat for this long is reported as down.
ROOST_WORKER_STALE_SECONDS = 30
ROOST_WORKER_HEARTBEAT_SECONDS = 5
