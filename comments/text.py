"""Comment text: plain text in, safe HTML out.

Readers write plain text. On the page it is escaped, its line breaks kept, and bare web
addresses (`http://`, `https://`, `www.`) become links marked `rel="nofollow ugc noopener"`.
Nothing else ever becomes a link: `javascript:` or `data:` text stays text. The same finder
counts links for the moderation policy, so what is held is what readers would see linked.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

REL = "nofollow ugc noopener"

# A bare address runs to the next whitespace or character that cannot be in a URL as typed.
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'`\x00-\x1f]+", re.IGNORECASE)
_TRAILING = ".,;:!?"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim(url):
    """Drop punctuation that ends the sentence, not the address ("see https://x.org).")."""
    while url:
        last = url[-1]
        unbalanced = last in _PAIRS and url.count(last) > url.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def find_urls(text):
    """The addresses in `text` that render as links, as (start, end, url) triples."""
    found = []
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if url and "." in url.split("//", 1)[-1]:
            found.append((match.start(), match.start() + len(url), url))
    return found


def count_links(text):
    return len(find_urls(text))


def safe_href(url):
    """`url` if it is an http(s) address, else None: other schemes never become links."""
    url = (url or "").strip()
    if re.match(r"^https?://[^\s]", url, re.IGNORECASE):
        return url
    return None


def _linkify(text):
    parts, pos = [], 0
    for start, end, url in find_urls(text):
        href = url if url.lower().startswith("http") else "http://" + url
        parts.append(escape(text[pos:start]))
        parts.append(format_html('<a href="{}" rel="{}">{}</a>', href, REL, url))
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)


def render(text):
    """Paragraphs (`<p dir="auto">`) split at blank lines, `<br>` at single line breaks.

    Each paragraph is its own block, so a stray right-to-left override cannot reach past
    the comment; `dir="auto"` lets Arabic or Hebrew comments read the right way round.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "".join(
        '<p dir="auto">' + "<br>".join(_linkify(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return mark_safe(html)  # every piece of reader text above went through escape()
