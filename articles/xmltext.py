"""Text that can reach XML: feeds, sitemaps and mail.

XML 1.0 forbids most C0 control characters, lone surrogates and U+FFFE/U+FFFF. A word
processor pastes them (U+000B for Shift+Enter, U+0008 as a stray backspace), and a single one
in a title makes a feed unserialisable. Every text field that can reach a feed, a sitemap or
a mail passes through `xml_safe()` on save; feeds and sitemaps pass their output through it
again, so a character that reached the database another way cannot break them.
"""

import re

# Line and page breaks a word processor pastes become spaces (words stay apart); every
# other character XML 1.0 forbids is dropped. Tab, LF and CR are allowed and kept.
_BREAKS = re.compile("[\x0b\x0c]")
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text):
    """`text` without the characters XML 1.0 forbids (None and "" pass through)."""
    if not text:
        return text
    return _FORBIDDEN.sub("", _BREAKS.sub(" ", text))


def has_xml_forbidden(text):
    return bool(text) and bool(_BREAKS.search(text) or _FORBIDDEN.search(text))
