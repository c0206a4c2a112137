"""Comment text: plain text in, safe HTML out.

Readers write plain text. On the page it is escaped, its line breaks kept, and bare web
addresses (`http://`, `https://`, `www.`) become links marked `rel="nofollow ugc noopener"`.
Nothing else ever becomes a link: `javascript:` or `data:` text stays text. The same finder
counts links for the moderation policy, so what is held is what readers would see linked.
"""

import re
import string
from collections import Counter

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

REL = "nofollow ugc noopener"

# A bare address starts at a word boundary with `http://`, `https://` or `www.` (any case)
# and runs to the next whitespace or character that cannot be in a URL as typed.
_PREFIXES = ("https://", "http://", "www.")
_STOPS = frozenset("<>\"'`")
_TRAILING = frozenset(".,;:!?")
_PAIRS = {")": "(", "]": "[", "}": "{"}
_BRACKETS = frozenset("()[]{}")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

# The characters the scanners have looked at, by pass: tests read it to check that the
# work grows linearly with the text (a timing would depend on the machine).
WORK = Counter()


def is_word_char(ch):
    """What a regular expression's \\w matches in a str."""
    return ch.isalnum() or ch == "_"


def _stops(ch):
    return ch in _STOPS or ch <= "\x1f" or ch.isspace()


def _trim(url, counts):
    """The length of `url` without the punctuation that ends the sentence, not the address
    ("see https://x.org)." -> "https://x.org"): trailing `.,;:!?`, and closing brackets
    with no opening one left. `counts` holds the brackets in `url`; it is updated as they
    are dropped, so each character is looked at once (no counting again per character)."""
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _PAIRS and counts[last] > counts[_PAIRS[last]]:
            counts[last] -= 1
            end -= 1
        else:
            break
    WORK["trim"] += len(url) - end + 1
    return end


def find_urls(text):
    """The addresses in `text` that render as links, as (start, end, url) triples.

    One pass: each character is looked at once to find where an address starts and ends
    (counting its brackets on the way), and trailing punctuation is trimmed from the end.
    Characters trimmed off an address are not scanned again.
    """
    found = []
    lowered = text.translate(_ASCII_LOWER)  # ASCII only, so positions stay the same
    n, i = len(text), 0
    scanned = 0
    while i < n:
        scanned += 1
        ch = lowered[i]
        if (
            ch in "hw"
            and lowered.startswith(_PREFIXES, i)
            and (i == 0 or not is_word_char(text[i - 1]))
        ):
            prefix = next(p for p in _PREFIXES if lowered.startswith(p, i))
            end = i + len(prefix)
            counts = dict.fromkeys(_BRACKETS, 0)
            while end < n and not _stops(text[end]):
                if text[end] in _BRACKETS:
                    counts[text[end]] += 1
                end += 1
                scanned += 1
            if end > i + len(prefix):
                url = text[i : i + _trim(text[i:end], counts)]
                scanned += len(url)  # the test for a dot after the scheme
                if url and "." in url.split("//", 1)[-1]:
                    found.append((i, i + len(url), url))
                i = end
                continue
        i += 1
    WORK["scan"] += scanned
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
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    WORK["lines"] += len(lines)
    # A run of blank lines between two lines of text ends a paragraph (the first and the
    # last line are never a separator: there is no line break on their other side).
    paragraphs, current = [], []
    for number, line in enumerate(lines):
        if 0 < number < len(lines) - 1 and not line.strip():
            if current:
                paragraphs.append(current)
            current = []
        else:
            current.append(line)
    paragraphs.append(current)
    html = "".join(
        '<p dir="auto">' + "<br>".join(_linkify(line) for line in p) + "</p>"
        for p in paragraphs
        if any(line.strip() for line in p)
    )
    return mark_safe(html)  # every piece of reader text above went through escape()


def stored(comment):
    """A saved comment's HTML, as rendered by `render` when its body was saved: what pages
    show, so no request renders a comment's text again."""
    return comment.rendered_body


# Control characters (C0, DEL, C1 with NEL) and the Unicode line and paragraph separators:
# none belongs in a single-line value, and each can end a line somewhere.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value):
    """`value` on one line: control characters and line breaks become spaces, and runs of
    white space one space (for plain-text mail: a reader's value cannot start a line)."""
    return " ".join(CONTROL.sub(" ", str(value)).split())


def quoted(value, prefix="> "):
    """Multi-line reader text for plain-text mail: each line after `prefix`, so no line
    of it can read as one of ours ("Approve it: ...")."""
    lines = str(value).splitlines() or [""]  # splits at every kind of line break
    return "\n".join((prefix + one_line(line)).rstrip() for line in lines)
