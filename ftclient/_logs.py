"""Debug logging switched on from the environment, as openai-python's ``OPENAI_LOG`` does.

``FTCLIENT_LOG`` (or ``OPENAI_LOG``, so a deployment configured for the official SDK keeps
working) set to ``debug`` or ``info`` gives the ``ftclient`` logger that level and, when neither
it nor the root logger has a handler yet, one handler on stderr. Nothing happens otherwise:
an application that configures logging itself keeps full control.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["LOG_VARIABLES", "configure_from_env"]

LOG_VARIABLES = ("FTCLIENT_LOG", "OPENAI_LOG")
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_from_env(environ: Mapping[str, str] | None = None) -> int | None:
    """Apply ``FTCLIENT_LOG``/``OPENAI_LOG`` to the ``ftclient`` logger (first one set wins).

    Returns:
        The level set, or None when neither variable names a level (an unknown value, such as
        ``verbose``, is ignored, as openai-python ignores it).
    """
    env = os.environ if environ is None else environ
    for variable in LOG_VARIABLES:
        level = _LEVELS.get(env.get(variable, "").strip().lower())
        if level is not None:
            break
    else:
        return None
    logger = logging.getLogger("ftclient")
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    return level
