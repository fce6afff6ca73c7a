"""Which networks exist and how to build a connector for a stored channel.

Domain apps reach a network only through here.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from roost.networks.base import ConnectField, Connection, Connector

# config: non-secret settings (service URL, instance URL, cached limits…)
# credentials: secrets (app password, tokens, session), stored encrypted by the caller
Factory = Callable[[Mapping[str, Any], Mapping[str, Any]], Connector]


@dataclass(frozen=True)
class Network:
    key: str
    label: str
    factory: Factory
    sandbox: bool = False
    # Networks connected with a form (Bluesky: handle + app password; Sandbox: a name):
    connect_fields: tuple[ConnectField, ...] = ()
    connect: Callable[..., Connection] | None = None  # connect(**{field.name: value})
    # Networks connected with OAuth (Mastodon):
    # oauth_start(instance_url=..., redirect_uri=...) -> (authorize_url, state_config)
    # oauth_finish(state_config=..., code=..., redirect_uri=...) -> Connection
    oauth_start: Callable[..., tuple[str, dict[str, Any]]] | None = None
    oauth_finish: Callable[..., Connection] | None = None


_NETWORKS: dict[str, Network] = {}
PACKAGES = ("bluesky", "mastodon", "sandbox")
# Set only after every package imported: a caller that sees it finds every network. Callers
# arriving while another thread imports wait on the lock instead of seeing half a registry.
_loaded = threading.Event()
_lock = threading.RLock()  # a package that looks a network up while importing


def register(network: Network) -> None:
    _NETWORKS[network.key] = network


def networks() -> list[Network]:
    load()
    return sorted(_NETWORKS.values(), key=lambda n: (n.sandbox, n.label))


def get(key: str) -> Network:
    load()
    try:
        return _NETWORKS[key]
    except KeyError:
        raise LookupError(f"Unknown network: {key}") from None


def connector_for(key: str, config: Mapping[str, Any], credentials: Mapping[str, Any]) -> Connector:
    return get(key).factory(config, credentials)


def is_loaded() -> bool:
    return _loaded.is_set()


def load() -> None:
    """Import the network packages once; each registers itself in its __init__. Called from
    NetworksConfig.ready(), and (cheaply) before every lookup."""
    if _loaded.is_set():
        return
    with _lock:
        if _loaded.is_set():
            return
        for name in PACKAGES:
            try:
                importlib.import_module(f"roost.networks.{name}")
            except ModuleNotFoundError as exc:  # a package still being built
                if exc.name != f"roost.networks.{name}":
                    raise
        _loaded.set()
