"""Every pass over a comment's text is linear: one hostile comment cannot cost a worker
seconds of CPU (a URL followed by 65,000 closing brackets once took ~4.4 s to count).

The work is counted, never timed: `text.WORK` counts the characters the scanners look at.
Each shape is fed at 10,000 and 60,000 characters; six times the text may cost at most
about six times the work, and never more than a few steps per character.
"""

import pytest

from comments import policy as policies
from comments import text

SMALL, LARGE = 10_000, 60_000
STEPS_PER_CHAR = 6  # a generous bound: the scanners need about two


def fill(unit, n, prefix="", suffix=""):
    """`prefix`, then `unit` repeated up to `n` characters in all, then `suffix`."""
    body = (unit * (n // len(unit) + 1))[: n - len(prefix) - len(suffix)]
    return prefix + body + suffix


URL = "http://a.co/"
SHAPES = {
    "closing parentheses": lambda n: fill(")", n, URL),
    "closing brackets": lambda n: fill("]", n, URL),
    "closing braces": lambda n: fill("}", n, URL),
    "opening parentheses": lambda n: fill("(", n, URL),
    "opening then closing": lambda n: fill("(", n // 2, URL) + ")" * (n // 2),
    "closing then opening": lambda n: fill(")", n // 2, URL) + "(" * (n // 2),
    "alternating brackets": lambda n: fill(")(][}{", n, URL),
    "brackets then a dot": lambda n: fill(").", n, URL),
    "dots": lambda n: fill(".", n, URL),
    "sentence punctuation": lambda n: fill(".,;:!?", n, URL),
    "slashes": lambda n: fill("/", n, URL),
    "dotted host": lambda n: fill("a.", n, "http://"),
    "double quotes": lambda n: fill(URL + '"', n),
    "single quotes": lambda n: fill(URL + "'", n),
    "backticks and angles": lambda n: fill(URL + "`<>", n),
    "one letter": lambda n: "a" * n,
    "one letter after a URL": lambda n: fill("a", n, URL),
    "www. repeated": lambda n: fill("www.", n),
    "www. repeated, spaced": lambda n: fill("www. ", n),
    "http:// repeated": lambda n: fill("http://", n),
    "https:// repeated, spaced": lambda n: fill("https:// ", n),
    "many links": lambda n: fill(URL + " ", n),
    "many links with brackets": lambda n: fill("(" + URL + ") ", n),
    "closing brackets alone": lambda n: ")" * n,
    "alternating punctuation": lambda n: fill(".)!]?}", n, URL),
    "line breaks": lambda n: "\n" * n,
    "blank lines of spaces": lambda n: fill("\n \t ", n),
    "spaces then a letter": lambda n: fill(" ", n, "\n", "x"),
    "CR LF pairs": lambda n: fill("\r\n", n, "a", "b"),
    "Unicode line separators": lambda n: fill("\u2028\n", n, "a"),
}


def work(function, *args):
    text.WORK.clear()
    function(*args)
    return sum(text.WORK.values())


def assert_linear(function, shape):
    small = work(function, shape(SMALL))
    large = work(function, shape(LARGE))
    assert large <= STEPS_PER_CHAR * LARGE, f"{large} steps for {LARGE} characters"
    # Six times the text, at most about six times the work (plus a constant).
    assert large <= 6.5 * small + 1_000, f"{small} steps for {SMALL}, {large} for {LARGE}"


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_counting_links_is_linear(shape):
    assert_linear(text.count_links, shape)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_rendering_is_linear(shape):
    assert_linear(text.render, shape)


WORDS = [
    "a",
    "aa",
    "a" * 2_000 + "b",
    "b" + "a" * 2_000,
    "ab",
    "press release",
    "http://",
    ")",
    "a" * 5_000,
]
WORD_SHAPES = {
    "one letter": lambda n: "a" * n,
    "two letters": lambda n: fill("ab", n),
    "letters and spaces": lambda n: fill("a ", n),
    "almost a long word": lambda n: fill("a" * 1_999 + "b ", n),
    "closing parentheses": lambda n: ")" * n,
    "http:// repeated": lambda n: fill("http://", n),
}


@pytest.mark.parametrize("shape", WORD_SHAPES.values(), ids=WORD_SHAPES.keys())
def test_matching_words_is_linear(shape):
    """The moderation and disallowed words, as whole words, in a long text (with long
    words in the list, and words that almost match everywhere)."""
    # Only words the text does not hold: a match ends the search early.
    words = [w for w in WORDS if policies.match_word([w], shape(SMALL)) is None]
    small = work(policies.match_word, words, shape(SMALL))
    large = work(policies.match_word, words, shape(LARGE))
    assert small > 0  # the counter sees the matcher
    # Each word is looked for at most once per character (a word of m characters is tried
    # at n - m + 1 places at most, so the ratio of the two sizes is no test here).
    for size, steps in ((SMALL, small), (LARGE, large)):
        assert steps <= len(words) * (size + 2), f"{steps} steps for {size} characters"


def test_a_long_word_still_matches_at_the_end():
    haystack = "a" * LARGE + " " + "b" + "a" * 2_000
    assert policies.match_word(WORDS[3:4], haystack) == WORDS[3]
    assert policies.match_word(WORDS[2:3], haystack) is None
