from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roost.core"
    label = "core"

    def ready(self) -> None:
        from roost.core import checks  # noqa: F401 - registers the system checks
