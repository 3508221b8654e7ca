"""``python -m newsroom``: the same commands and flags as ``python build.py`` and ``newsroom``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
