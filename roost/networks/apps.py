from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "roost.networks"
    label = "networks"

    def ready(self) -> None:
        # Load every network once, at start-up, before any thread can ask for one.
        from roost.networks import registry

        registry.load()
