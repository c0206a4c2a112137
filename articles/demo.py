"""The demo newsroom's content: original, fictional text written for this project."""

EDITOR = {
    "username": "editor",
    "first_name": "Maria",
    "last_name": "Lindqvist",
    "email": "editor@example.com",
}

# (path, name, position, description)
CATEGORIES = [
    ("today", "Today", 0, "The day's news from home and abroad."),
    ("today/world", "World", 0, "Reports from our correspondents around the world."),
    ("today/business", "Business", 1, "Markets, companies and the people who run them."),
    ("today/science", "Science", 2, "Research, discoveries and the people behind them."),
    ("opinion", "Opinion", 1, "Columns and commentary from our writers and readers."),
    ("culture", "Culture", 2, "Books, film, music and the arts."),
]


def _p(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


ARTICLES = [
    {
        "slug": "river-delta-towns-agree-shared-flood-plan",
        "title": "River delta towns agree a shared flood plan after a wet decade",
        "category": "today/world",
        "featured": 1,
        "hours": -3,
        "standfirst": (
            "Eleven towns along the lower delta will pool money for pumps, levees and an "
            "early-warning network, ending years of each building its own defences."
        ),
        "body": _p(
            "Mayors from eleven towns on the lower delta signed an agreement on Tuesday to "
            "plan and pay for flood defences together, after a decade in which four of them "
            "were flooded at least twice.",
            "Until now each town built its own walls, and water held back in one place was "
            "often pushed towards the next. Engineers who studied the river for the councils "
            "found that a single network of pumping stations would protect more homes for "
            "less money than the eleven separate schemes already on the drawing board.",
            "“We were building walls against each other,” said the mayor of the largest town, "
            "who chaired the talks. “The river does not stop at our borders, and neither "
            "should the plan.”",
            "The agreement sets up a joint board with a budget drawn from each town in "
            "proportion to its population, and an early-warning network of river gauges that "
            "will send alerts to residents’ phones. The first pumps are due next spring.",
        ),
    },
    {
        "slug": "night-trains-return-to-the-northern-line",
        "title": "Night trains return to the northern line after twelve years",
        "category": "today/world",
        "hours": -20,
        "standfirst": "A sleeper service linking the capital with the northern coast will "
        "run three nights a week from March.",
        "body": _p(
            "Sleeper trains will run again between the capital and the northern coast from "
            "March, twelve years after the last service was withdrawn for lack of passengers.",
            "The operator said bookings for short trial runs last summer sold out within "
            "days, helped by travellers looking for an alternative to short-haul flights.",
            "Carriages refurbished from an older fleet will offer compartments for one, two "
            "or four people, and a seated coach for those travelling on a budget.",
        ),
    },
    {
        "slug": "small-bakeries-weather-the-price-of-flour",
        "title": "Small bakeries weather the price of flour by baking less, and better",
        "category": "today/business",
        "hours": -8,
        "standfirst": "Independent bakers say shorter menus and pre-orders have kept them "
        "open through a year of rising costs.",
        "body": _p(
            "When the price of flour rose by a third in a year, many independent bakers "
            "expected to close. A survey of members by the bakers’ association suggests most "
            "did not, and that the survivors changed how they work.",
            "Shorter menus, bread baked to pre-order and fewer loaves thrown away at the end "
            "of the day were the most common changes. “We bake forty kinds of nothing less,” "
            "one baker said. “Six breads, done properly, and we sell out by two.”",
            "The association warned that energy prices remain the larger risk for the winter.",
        ),
    },
    {
        "slug": "seabird-colony-counts-rise-on-outer-islands",
        "title": "Seabird counts rise on the outer islands for a third year",
        "category": "today/science",
        "hours": -30,
        "standfirst": "Volunteers counted more nesting pairs of guillemots and razorbills "
        "than at any time since records began on the islands.",
        "body": _p(
            "The annual count of nesting seabirds on the outer islands found more guillemots "
            "and razorbills than in any year since the survey began, the third rise in a row.",
            "Researchers credit the removal of rats from the two largest islands, which ended "
            "five years ago, and a good supply of small fish in the surrounding waters.",
            "Puffin numbers, however, were flat, and scientists said one good run of years "
            "should not be mistaken for recovery.",
        ),
    },
    {
        "slug": "in-praise-of-the-public-library",
        "title": "In praise of the public library, the last warm room that asks nothing",
        "category": "opinion",
        "hours": -50,
        "standfirst": "A library is one of the few places left where you can stay all "
        "afternoon without buying anything. We should fund it like we mean it.",
        "body": _p(
            "Every town has a room where you can sit in the warm for an afternoon, read the "
            "papers, print a form, ask a question and leave without spending a coin. We call "
            "it the library, and we have been quietly closing it for twenty years.",
            "The case for libraries is usually made with books, but the queue at the desk on "
            "a Monday morning tells another story: people applying for jobs, renewing "
            "documents, getting help with a phone that will not do what it is told.",
            "Fund them for what they are, not for what they were.",
        ),
    },
    {
        "slug": "a-quiet-film-about-a-lighthouse-keeper",
        "title": "A quiet film about a lighthouse keeper becomes the surprise of the season",
        "category": "culture",
        "hours": -70,
        "standfirst": "Shot on one island with a cast of three, it has outsold every "
        "blockbuster in the city’s independent cinemas.",
        "body": _p(
            "Nobody expected a ninety-minute film about a lighthouse keeper and his two "
            "visitors to fill cinemas for six weeks, least of all its director.",
            "Shot in a month on a single island, with the weather doing much of the work, it "
            "has found an audience by word of mouth alone.",
        ),
    },
    {
        "slug": "budget-talks-draft",
        "title": "Budget talks: what each party wants (draft)",
        "category": "today/business",
        "status": "draft",
        "hours": -1,
        "standfirst": "A draft explainer, not yet published.",
        "body": _p("Notes for the explainer, to be finished after the talks."),
    },
    {
        "slug": "election-night-live-scheduled",
        "title": "Election night: results as they come in",
        "category": "today/world",
        "hours": 72,
        "standfirst": "Scheduled to go live on election night.",
        "body": _p("Live results will appear here."),
    },
]
