from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roost.core"
    label = "core"
