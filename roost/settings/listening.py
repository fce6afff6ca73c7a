"""Listening: where the offline understanding models live (docs/listening-understanding.md)."""

from pathlib import Path

from roost.settings.env import BASE_DIR, env_str

# Trained at setup by `roost listening_train` (and lazily on first use when missing).
ROOST_LISTENING_MODEL_DIR = Path(
    env_str("ROOST_LISTENING_MODEL_DIR", str(BASE_DIR / "var" / "models"))
)
