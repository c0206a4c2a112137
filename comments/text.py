"""Comment text: plain text in, safe HTML out.

Readers write plain text. On the page it is escaped, its line breaks kept, and bare web
addresses (`http://`, `https://`, `www.`) become links marked `rel="nofollow ugc noopener"`.
Nothing else ever becomes a link: `javascript:` or `data:` text stays text. The same finder
counts links for the moderation policy, so what is held is what readers would see linked.
"""

import html
import re
from collections import Counter

from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

REL = "nofollow ugc noopener"


def escaped(value):
    """The text of `conditional_escape(value)` (a value with `__html__` is already HTML; any
    other is `html.escape`d, quotes included), as a plain str: without the lazy-string
    wrapper Django's `escape` goes through and the `SafeString` it makes of each result, for
    markup assembled in Python and marked safe once (the comment form's ~80 values)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# A bare address starts at a word boundary with `http://`, `https://` or `www.` (any case)
# and runs to the next whitespace or character that cannot be in a URL as typed. Both
# patterns are linear: the first has a fixed length (a few characters tried at each
# position), the second is one character class (each character looked at once).
_START = re.compile(r"\b(?:https?://|www\.)", re.IGNORECASE)
_RUN = re.compile(r"[^\s<>\"'`\x00-\x1f]+")
_TRAILING = frozenset(".,;:!?")
_PAIRS = {")": "(", "]": "[", "}": "{"}
_DROPPABLE = ".,;:!?)]}"
_RUNS = re.compile(r"(.)\1*", re.DOTALL)  # one character class per run: linear

# The characters each pass over a comment's text moves over, by pass: tests read it to
# check that the work grows linearly with the text (a timing would depend on the machine).
WORK = Counter()


def is_word_char(ch):
    """What a regular expression's \\w matches in a str."""
    return ch.isalnum() or ch == "_"


def _trim(url):
    """`url` without the punctuation that ends the sentence, not the address ("see
    https://x.org)." -> "https://x.org"): trailing `.,;:!?`, and closing brackets with
    no opening one left. The brackets are counted once (one pass), then dropped from the
    end with a running count: no counting again per character, which made an address
    followed by 65,000 ')' take seconds."""
    body = url.rstrip(_DROPPABLE)  # what can never be trimmed: one pass from the end
    if len(body) == len(url):
        WORK["trim"] += 1
        return url
    counts = Counter(url)  # one pass
    excess = {close: counts[close] - counts[open_] for close, open_ in _PAIRS.items()}
    end = len(url)
    # The droppable tail from its end, a run of one character at a time.
    for run in _RUNS.finditer(url[len(body) :][::-1]):
        last, length = run.group(1), run.end() - run.start()
        if last in _TRAILING:
            end -= length
        else:  # a closing bracket: only those with no opening one are dropped
            dropped = min(length, max(excess[last], 0))
            excess[last] -= dropped
            end -= dropped
            if dropped < length:
                break
    WORK["trim"] += 2 * len(url) - end + 1
    return url[:end]


def find_urls(text):
    """The addresses in `text` that render as links, as (start, end, url) triples.

    One pass: the scan moves forward only, each address's brackets are counted once, and
    trailing punctuation is trimmed from the end. Characters trimmed off an address are
    not scanned again (as with a regular expression's finditer()).
    """
    found, pos = [], 0
    while (start := _START.search(text, pos)) is not None:
        run = _RUN.match(text, start.end())
        if run is None:  # "http://" and then a space: not an address; go on after "h"
            WORK["scan"] += start.start() + 1 - pos
            pos = start.start() + 1
            continue
        WORK["scan"] += run.end() - pos
        url = _trim(text[start.start() : run.end()])
        WORK["scan"] += len(url)  # looking for a dot after the scheme
        if url and "." in url.split("//", 1)[-1]:
            found.append((start.start(), start.start() + len(url), url))
        pos = run.end()
    WORK["scan"] += len(text) - pos
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
