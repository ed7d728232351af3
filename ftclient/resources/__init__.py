"""Resource classes: one method per API operation, no HTTP details."""

from .checkpoints import Checkpoints
from .files import Files
from .graders import Graders
from .jobs import Jobs
from .permissions import Permissions
from .uploads import Uploads

__all__ = ["Checkpoints", "Files", "Graders", "Jobs", "Permissions", "Uploads"]
