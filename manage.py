#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    if sys.argv[1:2] != ["runserver"]:
        # Requests run under the database's statement and lock timeouts (settings.py); a
        # command (migrate on a big table, seeding, the webhook worker) is not cut short.
        os.environ.setdefault("DB_TIMEOUTS", "off")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
