"""``python -m newsroom``: the same commands and flags as ``python build.py`` and ``newsroom``."""

from .cli import run

if __name__ == "__main__":
    run()
