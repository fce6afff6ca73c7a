#!/usr/bin/env python
"""Django's manage.py; `roost` is the friendlier front door to the same commands."""

from roost.cli import main

if __name__ == "__main__":
    main()
