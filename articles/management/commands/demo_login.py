"""Give the demo accounts fresh random passwords and print the logins (development only)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from articles.demo import EDITOR, WRITER_LOGIN


class Command(BaseCommand):
    help = (
        "Create or reset the demo superuser 'admin', reset the demo editor's and writer's "
        "passwords, and print the logins. For development only: it changes passwords."
    )
    # `make run` runs these right after `migrate`, which has just shown the system checks.
    requires_system_checks = []

    def handle(self, *args, **options):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(username="admin", defaults={"email": ""})
        admin.is_staff = admin.is_superuser = admin.is_active = True
        self.reset("admin (superuser)", admin)
        editor = User.objects.filter(username=EDITOR["username"]).first()
        if editor is not None:
            self.reset("editor (Editors group)", editor)
        writer = User.objects.filter(username=WRITER_LOGIN, groups__name="Writers").first()
        if writer is not None:
            self.reset("writer (Writers group)", writer)

    def reset(self, label, user):
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Login {label}: {user.username} / {password}"))
