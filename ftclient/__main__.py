"""``python -m ftclient``: the command line (see :mod:`ftclient.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
