from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "roost.web"
    label = "web"
