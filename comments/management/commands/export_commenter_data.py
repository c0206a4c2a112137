"""Print, as JSON, everything stored about the commenter with this e-mail address
(a data subject's access request):

    manage.py export_commenter_data reader@example.com > reader.json
"""

import json

from django.core.management.base import BaseCommand

from comments import privacy


class Command(BaseCommand):
    help = "Export a commenter's personal data (every comment with that e-mail) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        data = privacy.export(email)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        self.stderr.write(f"{len(data['comments'])} comments.")
