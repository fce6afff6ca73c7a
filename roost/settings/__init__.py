"""Default (embedded) settings: SQLite under ./var, worker on the same database."""

from roost.settings.base import *  # noqa: F403
from roost.settings.database import *  # noqa: F403
from roost.settings.listening import *  # noqa: F403
from roost.settings.outbound import *  # noqa: F403
from roost.settings.paid_import import *  # noqa: F403
from roost.settings.security import *  # noqa: F403
from roost.settings.storage import *  # noqa: F403
from roost.settings.tasks import *  # noqa: F403
from roost.settings.uploads import *  # noqa: F403
from roost.settings.workspaces import *  # noqa: F403
