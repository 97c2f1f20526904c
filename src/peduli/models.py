"""Imports every domain's models so ``Base.metadata`` knows all tables (migrations, tests)."""

from peduli.agencies import imports_restart_models  # noqa: F401
from peduli.agencies import models as agencies_models  # noqa: F401
from peduli.agencies import travel_models as agencies_travel_models  # noqa: F401
from peduli.auth import audit  # noqa: F401
from peduli.auth import models as auth_models  # noqa: F401
from peduli.cases import models as cases_models  # noqa: F401
from peduli.conversations import models as conversations_models  # noqa: F401
from peduli.core import events, idempotency, periodic, ratelimit  # noqa: F401
from peduli.core.db import Base
from peduli.crisis import models as crisis_models  # noqa: F401
from peduli.documents import models as documents_models  # noqa: F401
from peduli.elections import models as elections_models  # noqa: F401
from peduli.emergency import models as emergency_models  # noqa: F401
from peduli.notify import models as notify_models  # noqa: F401
from peduli.partners import models as partners_models  # noqa: F401
from peduli.registry import models as registry_models  # noqa: F401
from peduli.services import models as services_models  # noqa: F401
from peduli.stats import models as stats_models  # noqa: F401
from peduli.stats import release_models as stats_release_models  # noqa: F401
from peduli.voice import models as voice_models  # noqa: F401

__all__ = ["Base"]
