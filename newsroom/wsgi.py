import os

from django.core.wsgi import get_wsgi_application

from newsroom.environment import exit_on_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# A malformed environment variable stops the server with one line naming it. Exit status 3
# is gunicorn's "worker failed to boot": it stops instead of restarting workers forever.
application = exit_on_error(get_wsgi_application, status=3)
