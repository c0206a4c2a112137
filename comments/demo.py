"""The demo newsroom's comments: original, fictional text written for this project.

Every state of the queue is on the flood-plan article (the one demo article sure to stay);
approved threads are spread over the others and skipped where an article is missing.

Each entry: (key, article slug, parent key, name, email, website, IP, hours ago, state, text).
`REPORTS`: readers' reports on some of them, open or decided.
States: approved · held (manual approval) · links · word · error · unchecked · spam ·
discard · trash · not_spam (Akismet said spam, a moderator disagreed).
"""

MODERATOR = {
    "username": "moderator",
    "first_name": "Sam",
    "last_name": "Okafor",
    "email": "moderator@example.com",
}

# A word the demo policy holds comments for, so the queue shows that reason too.
MODERATION_WORD = "giveaway"

FLOOD = "river-delta-towns-agree-shared-flood-plan"
TRAINS = "night-trains-return-to-the-northern-line"
BAKERIES = "small-bakeries-weather-the-price-of-flour"
LIBRARY = "in-praise-of-the-public-library"

# fmt: off
COMMENTS = [
    # Approved threads.
    (
        "f1", FLOOD, None, "Ingrid Halvorsen", "ingrid.h@example.net", "", "192.0.2.14", 2.5,
        "approved",
        "I grew up in one of the lower towns. Every spring we moved the furniture upstairs "
        "and waited. A shared warning network would have saved my parents a lot of sleepless "
        "nights.",
    ),
    (
        "f2", FLOOD, "f1", "Tomás Ferreira", "tomas.f@example.org", "https://tomas.example.org",
        "198.51.100.23", 2.2, "approved",
        "Same here. The gauges matter more than the walls, I think: an hour's notice is the "
        "difference between a wet floor and a ruined house.",
    ),
    (
        "f3", FLOOD, "f2", "Ingrid Halvorsen", "ingrid.h@example.net", "", "192.0.2.14", 2.0,
        "approved",
        "Agreed. I hope the alerts also go out by text message, not only through an app.",
    ),
    (
        "f4", FLOOD, None, "Dev Raman", "dev.raman@example.com", "", "203.0.113.40", 1.6,
        "approved",
        "How is the budget split when a town grows? Population figures from which year?",
    ),
    (
        "t1", TRAINS, None, "Clara Novak", "clara.novak@example.net", "", "192.0.2.77", 14,
        "approved",
        "Took the last sleeper before it was cut, twelve years ago. Glad my children will get "
        "to wake up by the sea the way I did.",
    ),
    (
        "t2", TRAINS, "t1", "Owen Price", "owen.price@example.org", "", "198.51.100.8", 12,
        "approved",
        "Three nights a week is a start. Let's hope they keep the seated coach cheap.",
    ),
    (
        "b1", BAKERIES, None, "Helena Brandt", "helena@example.com", "https://helena.example.com",
        "203.0.113.9", 6, "approved",
        "Our corner bakery went to pre-orders in the spring. Less choice, but the bread has "
        "never been better and nothing goes in the bin.",
    ),
    (
        "l1", LIBRARY, None, "Marcus Webb", "m.webb@example.net", "", "192.0.2.101", 30,
        "approved",
        "The library taught me to read and, thirty years later, to file my taxes online. "
        "Worth every penny of the rates.",
    ),
    # The queue: held for different reasons.
    (
        "q1", FLOOD, None, "Ana Sousa", "ana.sousa@example.org", "", "198.51.100.61", 0.9,
        "held",
        "Will the pumping stations run on mains power only? The last flood took the "
        "substation out first.",
    ),
    (
        "q2", FLOOD, None, "Pieter de Vries", "pieter@example.net", "", "203.0.113.77", 0.7,
        "links",
        "The engineers' study is public: https://example.org/delta-study and the maps are at "
        "https://example.org/delta-maps and https://example.org/gauges - worth a read before "
        "the council meeting.",
    ),
    (
        "q3", FLOOD, None, "Lucky Deals", "deals4u@example.com", "", "192.0.2.200", 0.5,
        "word",
        "Flooded out? Enter our giveaway for a free basement pump, this week only.",
    ),
    (
        "q4", FLOOD, "f4", "Rosa Lindgren", "rosa.l@example.org", "", "198.51.100.90", 0.4,
        "error",
        "By the census, I believe: the agreement says figures are updated every five years.",
    ),
    (
        "q5", FLOOD, None, "Yusuf Demir", "yusuf.demir@example.com", "", "203.0.113.55", 0.3,
        "unchecked",
        "Do the eleven towns share the cost of running the pumps as well, or only of "
        "building them?",
    ),
    (
        "q6", FLOOD, None, "Grace Mensah", "grace.m@example.net", "", "192.0.2.45", 0.2,
        "not_spam",
        "Our county library lends sandbags and water alarms every winter - ask at your "
        "branch!",
    ),
    # Spam, blatant spam, trash.
    (
        "s1", FLOOD, None, "Best Pumps Online", "sales@pumps-cheap.example", "https://pumps-cheap.example",
        "203.0.113.250", 1.2, "spam",
        "Best flood pumps cheap cheap, visit our shop for wholesale prices and fast delivery.",
    ),
    (
        "s2", FLOOD, None, "xXx", "a8f3k2@example.com", "", "192.0.2.254", 3, "discard",
        "c1ick h3re f0r fr33 m0ney n0w",
    ),
    (
        "s3", LIBRARY, None, "SEO Expert", "seo@rank-first.example", "https://rank-first.example",
        "198.51.100.199", 20, "spam",
        "Nice article. We can bring your library website to the first page of every search "
        "engine in seven days.",
    ),
    # Reported by readers, then removed by a moderator (see REPORTS).
    (
        "x1", TRAINS, None, "Rail Realist", "realist@example.com", "", "203.0.113.66", 11,
        "approved",
        "Whoever planned this timetable should never be allowed near a railway again. Idiots, "
        "the lot of them.",
    ),
    (
        "r1", FLOOD, None, "Tomás Ferreira", "tomas.f@example.org", "", "198.51.100.23", 2.1,
        "trash",
        "Sorry, posted this twice by mistake - please delete.",
    ),
]
# fmt: on

# Controls per commenter: a blocked domain (a bot network) with a comment it stopped, and a
# banned commenter whose published comments the ban moved out of sight.
BLOCKED_DOMAIN = "casino-bots.example"
BLOCK_REASON = "Bot network posting casino links"
BLOCKED_COMMENT = (
    FLOOD,
    "Lucky Winner",
    f"win@{BLOCKED_DOMAIN}",
    "203.0.113.66",
    "Flood? Spin the wheel instead, first deposit doubled.",
)
BANNED = "grumpy.troll@example.org"
BAN_REASON = "Repeated personal attacks on other readers"
BANNED_COMMENTS = (
    (
        FLOOD,
        "Anonymous Coward",
        BANNED,
        "198.51.100.99",
        "Anyone who lives by a river deserves what they get.",
    ),
    (
        TRAINS,
        "Anonymous Coward",
        BANNED,
        "198.51.100.99",
        "Night trains are for people with nothing better to do.",
    ),
)
# Readers' reports on demo comments, so the Reported view and /transparency/ have something
# to show: (comment key, reason, law, explanation, reporter email, reporter IP, hours ago,
# decision: None (open) or (keep|remove, reason code, note)). Reports on one comment that
# share a decision are decided together.
# fmt: off
REPORTS = [
    (
        "f2", "illegal", "Defamation", "It says the council's engineers ruined houses; that is "
        "an accusation against named people.", "", "192.0.2.150", 1.0, None,
    ),
    ("b1", "off_topic", "", "This is about one bakery, not the article.", "", "198.51.100.150",
     3.0, None),
    ("b1", "spam", "", "", "", "203.0.113.150", 2.5, None),
    ("t2", "spam", "", "Looks like an advert for the coach.", "kim@example.org", "192.0.2.151",
     10.0, ("keep", "no_breach", "an opinion about fares, not an advert")),
    ("x1", "abuse", "", "Insults the planners.", "lee@example.org", "198.51.100.151", 10.5,
     ("remove", "abusive", "name-calling")),
    ("x1", "abuse", "", "", "", "203.0.113.151", 10.2, ("remove", "abusive", "name-calling")),
]
# fmt: on

# A story in surge (`comments.surges`): this many readers post on it within the last few
# minutes, all waiting for a moderator: the rate switches it to surge, and with more
# pending comments than the "off" threshold it stays so until moderators catch up.
SURGE_ARTICLE = "harbour-city-closes-old-town-to-cars-on-sundays"
_SURGE_OPENINGS = [
    "Finally.",
    "Terrible idea.",
    "I run a shop on the square.",
    "I cycle through there every day.",
    "My parents live inside the ring.",
    "Honest question, not a complaint.",
]
_SURGE_POINTS = [
    "Sundays were already quiet; why not Saturdays instead?",
    "How do deliveries reach the market stalls before ten?",
    "The buses will need more room at the gates, and nobody has said where.",
    "The trial last summer doubled the number of people walking through.",
]
SURGE_COMMENTS = [
    (f"Reader {n + 1}", f"busy.reader{n + 1}@example.net", f"198.51.100.{120 + n}",
     f"{opening} {point}")
    for n, (opening, point) in enumerate(
        (o, p) for p in _SURGE_POINTS for o in _SURGE_OPENINGS
    )
]  # fmt: skip
# The moderation report's past: twelve weeks of daily totals per section, as the service
# functions would have counted them (the comments themselves purged long ago), and the
# queue sampled hourly. (section slug, comments a weekday, typical minutes to a decision,
# readers' reports a week).
REPORT_WEEKS = 12
REPORT_SECTIONS = [("today", 34, 35, 6), ("opinion", 21, 70, 4), ("culture", 9, 150, 1)]
