"""Check the configured Akismet key and site URL with one verify-key call."""

import akismet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments import spam


class Command(BaseCommand):
    help = "Verify AKISMET_API_KEY for AKISMET_BLOG_URL (one request to AKISMET_API_URL)."

    def handle(self, *args, **options):
        if not spam.is_configured():
            raise CommandError("AKISMET_API_KEY is not set: comments are held unchecked.")
        try:
            valid = spam.verify_key()
        except akismet.AkismetError as exc:
            # The library's messages for verify-key never contain the key; say only what.
            raise CommandError(
                f"Could not reach Akismet at {settings.AKISMET_API_URL}: {exc.__class__.__name__}"
            ) from None
        if not valid:
            raise CommandError(f"Akismet says the key is invalid for {settings.AKISMET_BLOG_URL}.")
        self.stdout.write(
            self.style.SUCCESS(f"The Akismet key is valid for {settings.AKISMET_BLOG_URL}.")
        )
