"""Resource classes: one method per API operation, no HTTP details."""

from .checkpoints import Checkpoints
from .graders import Graders
from .jobs import Jobs
from .permissions import Permissions

__all__ = ["Checkpoints", "Graders", "Jobs", "Permissions"]
