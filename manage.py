#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.core.management import execute_from_command_line

    from newsroom.environment import exit_on_error

    # A malformed environment variable: one line naming it, exit status 1.
    exit_on_error(lambda: execute_from_command_line(sys.argv))


if __name__ == "__main__":
    main()
