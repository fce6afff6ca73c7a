from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "roost.networks"
    label = "networks"
