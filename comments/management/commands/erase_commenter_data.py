"""Anonymise every comment written with this e-mail address (a data subject's erasure
request): name "Anonymous", e-mail, website, IP address, user agent and the Akismet copy
cleared; the texts keep their place in their threads. Recorded in each comment's history.

    manage.py erase_commenter_data reader@example.com
"""

from django.core.management.base import BaseCommand

from comments import privacy


class Command(BaseCommand):
    help = "Erase a commenter's personal data (anonymise every comment with that e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        erased = privacy.erase(email, actor_label="erase_commenter_data")
        self.stdout.write(f"Anonymised {erased} comments.")
