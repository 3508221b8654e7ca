#!/usr/bin/env python3
"""Build the news site: `python build.py --help` lists the commands and flags."""

from newsroom.cli import run

if __name__ == "__main__":
    run()
