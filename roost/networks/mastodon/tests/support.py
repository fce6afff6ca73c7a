"""Values shared by the Mastodon tests: the recorded account, ids and a connector builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from roost.networks.mastodon.connector import MastodonConnector
from roost.networks.mastodon.tests.replay import Replay, session

NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
INSTANCE = "https://mastodon.social"
REDIRECT = "https://roost.example.com/channels/connect/mastodon/callback"
CLIENT_ID = "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"
CLIENT_SECRET = "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
ACCOUNT_ID = "113122209187643102"
# Ids in the recorded exchanges.
S0, S1, S2 = "117689116288614401", "117689116432793602", "117689116465561603"
M1, M2 = "117689116268953611", "117689116400025612"
E0, E1 = "117688766300160001", "117688766300160002"

MASTODON_SOCIAL_LIMITS: dict[str, Any] = {
    "max_characters": 500,
    "max_media_attachments": 4,
    "image_size_limit": 16777216,
    "supported_mime_types": [
        "image/avif",
        "image/gif",
        "image/heic",
        "image/heif",
        "image/jpeg",
        "image/png",
        "image/webp",
    ],
    "characters_reserved_per_url": 23,
    "description_limit": 1500,
}
CONFIG: dict[str, Any] = {
    "instance_url": INSTANCE,
    "domain": "mastodon.social",
    "limits": MASTODON_SOCIAL_LIMITS,
}
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "access_token": TOKEN}


class Sleeps(list[float]):
    """Records the pauses a connector asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def connector(
    replay: Replay, config: dict[str, Any] | None = None, sleeps: Sleeps | None = None
) -> MastodonConnector:
    """A connector for the recorded mastodon.social account, talking to `replay`."""
    return MastodonConnector(
        CONFIG if config is None else config,
        CREDENTIALS,
        session=session(replay),
        sleep=sleeps if sleeps is not None else Sleeps(),
        now=lambda: NOW,
    )
