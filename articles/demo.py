"""The demo newsroom's content: original, fictional text written for this project.

Places, people and organisations are invented. Each article names the illustration
(articles.demo_images) that seed_demo draws for it.
"""

EDITOR = {
    "username": "editor",
    "first_name": "Maria",
    "last_name": "Lindqvist",
    "email": "editor@example.com",
}

# Reporters: bylines; one of them (WRITER_LOGIN) also signs in, in the Writers group
# (`demo_login` gives him a password): he writes and submits, an editor publishes.
WRITER_LOGIN = "tbrandt"
WRITERS = {
    "tbrandt": ("Tomas", "Brandt"),
    "aokafor": ("Amara", "Okafor"),
    "icarvalho": ("Inês", "Carvalho"),
    "jwhitfield": ("Jonah", "Whitfield"),
    "lpetrovic": ("Lena", "Petrović"),
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


def _h2(text):
    return f"<h2>{text}</h2>"


def _quote(text):
    return f"<blockquote><p>{text}</p></blockquote>"


def _ul(*items):
    return "<ul>" + "".join(f"<li><p>{item}</p></li>" for item in items) + "</ul>"


def _ol(*items):
    return "<ol>" + "".join(f"<li><p>{item}</p></li>" for item in items) + "</ol>"


# hours: publish time relative to now (negative: in the past; positive: scheduled).
# updated: hours after publication of the last edit (absent: never edited).
ARTICLES = [
    {
        "slug": "river-delta-towns-agree-shared-flood-plan",
        "title": "River delta towns agree a shared flood plan after a wet decade",
        "category": "today/world",
        "featured": 1,
        "hours": -3,
        "updated": 2,
        "authors": ["tbrandt"],
        "image": "delta",
        "image_alt": "Illustration: a river winding through a patchwork of green and ochre "
        "fields, with small clusters of white houses along its banks.",
        "image_caption": "The lower delta: eleven towns, one river. Illustration: The Newsroom",
        "standfirst": (
            "Eleven towns along the lower delta will pool money for pumps, levees and an "
            "early-warning network, ending years of each building its own defences."
        ),
        "body": _p(
            "Mayors from eleven towns on the lower delta signed an agreement on Tuesday to "
            "plan and pay for flood defences together, after a decade in which four of them "
            "were flooded at least twice and one, Sollmere, lost its main bridge for a year.",
            "Until now each town built its own walls, and water held back in one place was "
            "often pushed towards the next. Engineers who studied the river for the councils "
            "found that a single network of pumping stations would protect more homes for "
            "less money than the eleven separate schemes already on the drawing board.",
        )
        + _quote(
            "We were building walls against each other. The river does not stop at our "
            "borders, and neither should the plan."
        )
        + _p(
            "The words are those of Hedda Marsh, mayor of Port Alder, the largest of the "
            "towns, who chaired eighteen months of talks that more than once looked set to "
            "fail. The smaller upstream towns feared paying for defences that would mostly "
            "protect the port; the port feared being outvoted by its neighbours.",
        )
        + _h2("What the towns have agreed")
        + _p("The agreement, which the eleven councils must each ratify by the summer, sets out:")
        + _ul(
            "a joint flood board with one seat per town and decisions by a two-thirds "
            "majority, so that no single town can block or force a scheme;",
            "a budget drawn from each town in proportion to its population, with a "
            "national grant promised for the first five years;",
            "a network of forty river gauges that will send alerts to residents’ phones "
            "up to twelve hours before water reaches the banks;",
            "three pumping stations, the first of them due next spring at the confluence "
            "below Sollmere.",
        )
        + _h2("A decade of wet winters")
        + _p(
            "The delta has always flooded, and the old farmhouses sit on mounds for a "
            "reason. What changed in the last ten years, hydrologists say, is how often. "
            "Winter storms now arrive in clusters, and the ground has no time to drain "
            "between them. In three of the last ten winters the river broke its banks in "
            "more than one place in the same week.",
            "Farmers, who own much of the land the water would spread onto, are not yet "
            "convinced. Their association welcomed the plan but asked for compensation "
            "when fields are used to hold floodwater on purpose, something the engineers "
            "say will be needed once or twice a decade.",
            "For residents of the lowest streets in Sollmere, the timetable cannot be short "
            "enough. “We keep sandbags in the hall all year now,” said one, who has had "
            "water in her kitchen twice. “If the alerts come first, that alone is worth it.”",
        ),
    },
    {
        "slug": "night-trains-return-to-the-northern-line",
        "title": "Night trains return to the northern line after twelve years",
        "category": "today/world",
        "hours": -20,
        "authors": ["tbrandt"],
        "image": "night_train",
        "image_alt": "Illustration: a train with lit yellow windows crossing a viaduct under a "
        "starry night sky and a full moon.",
        "image_caption": "The sleeper will leave the capital at 22:40. Illustration: The Newsroom",
        "standfirst": "A sleeper service linking the capital with the northern coast will "
        "run three nights a week from March.",
        "body": _p(
            "Sleeper trains will run again between the capital and the northern coast from "
            "March, twelve years after the last service was withdrawn for lack of passengers.",
            "The operator said bookings for short trial runs last summer sold out within "
            "days, helped by travellers looking for an alternative to short-haul flights "
            "and by a generation of walkers and skiers who want to wake up in the hills.",
            "Carriages refurbished from an older fleet will offer compartments for one, two "
            "or four people, and a seated coach for those travelling on a budget. The "
            "journey of a little under eleven hours will leave the capital at 22:40 and "
            "reach the coast in time for breakfast.",
        )
        + _h2("Why now")
        + _p(
            "The last sleeper was cut when cheap flights and a faster daytime train left it "
            "half empty. Rail planners say three things have changed since: track works "
            "that allow heavier trains at night, a leasing deal for the carriages, and "
            "regional councils on the coast willing to share the running costs for the "
            "first four years.",
            "Critics point out that the same subsidy would buy a great many extra daytime "
            "services. Supporters answer that the night train fills seats that would "
            "otherwise not exist, on a line that is empty after midnight.",
            "Tickets go on sale next month. The operator says it will publish the number of "
            "passengers on every run for the first year, so that the trial can be judged "
            "in the open.",
        ),
    },
    {
        "slug": "harbour-city-closes-old-town-to-cars-on-sundays",
        "title": "Harbour city closes its old town to cars on Sundays",
        "category": "today/world",
        "hours": -28,
        "authors": ["tbrandt"],
        "image": "old_town",
        "image_alt": "Illustration: a row of tall, narrow houses painted red, yellow, green and "
        "mauve above a cobbled street with parked bicycles.",
        "image_caption": "The old town’s lanes were laid out long before the car. "
        "Illustration: The Newsroom",
        "standfirst": "After a summer trial that traders first opposed, the council made the "
        "Sunday closure permanent by a vote of 31 to 9.",
        "body": _p(
            "Cars will be kept out of the old town of Vessby every Sunday from next month, "
            "after the city council voted to make a summer trial permanent.",
            "When the trial was announced, shopkeepers collected two thousand signatures "
            "against it, warning that visitors would not come if they could not park. "
            "Takings in the old town over the twelve Sundays of the trial were instead "
            "eleven per cent higher than a year earlier, according to the traders’ own "
            "association, which now backs the closure.",
            "Residents will still be able to reach their homes, and deliveries are allowed "
            "before ten in the morning. Buses from the station run every ten minutes.",
            "“I was one of the people with a clipboard,” said the owner of a hardware shop "
            "on the main square. “I was wrong. People stay longer when they are not "
            "looking at the clock on a parking meter.”",
        ),
    },
    {
        "slug": "small-bakeries-weather-the-price-of-flour",
        "title": "Small bakeries weather the price of flour by baking less, and better",
        "category": "today/business",
        "featured": 1,
        "hours": -8,
        "authors": ["aokafor"],
        "image": "bakery",
        "image_alt": "Illustration: round, scored loaves of bread on a wooden counter dusted with "
        "flour, with a short handwritten menu board behind.",
        "image_caption": "Six breads, done properly. Illustration: The Newsroom",
        "standfirst": "Independent bakers say shorter menus and pre-orders have kept them "
        "open through a year of rising costs.",
        "body": _p(
            "When the price of flour rose by a third in a year, many independent bakers "
            "expected to close. A survey of members by the bakers’ association suggests most "
            "did not, and that the survivors changed how they work.",
            "Of the 420 bakeries that answered, 38 had closed or been sold since the spring. "
            "The association had feared more than a hundred.",
        )
        + _h2("What changed")
        + _p("The most common changes the bakers reported were:")
        + _ol(
            "shorter menus: the median bakery now sells nine products, down from fifteen;",
            "bread baked to pre-order for the weekend, taken by text message or online;",
            "fewer loaves thrown away at the end of the day, down by more than half;",
            "higher prices, but by less than the rise in their own costs.",
        )
        + _quote(
            "We used to bake forty kinds of nothing much. Now it is six breads, done "
            "properly, and we sell out by two."
        )
        + _p(
            "That was Piet Aalders, who runs a two-oven bakery on a market street in the "
            "east of the city with his daughter. He says customers complained for a month "
            "about the missing seeded rolls, then stopped.",
            "Economists who study small firms say the pattern is familiar: businesses that "
            "cannot pass on costs look for waste first. What is unusual is how fast it "
            "happened, and how many bakers reached the same answer without talking to one "
            "another.",
        )
        + _h2("The winter ahead")
        + _p(
            "The association warned that energy, not flour, is the larger risk for the "
            "winter. An electric deck oven runs for ten hours a day, and many small bakers "
            "signed fixed-price contracts that end in January. It is asking the government "
            "to extend the business energy scheme to firms with fewer than ten staff.",
        ),
    },
    {
        "slug": "turbine-works-hires-first-apprentices",
        "title": "Port’s new turbine works takes on its first 400 apprentices",
        "category": "today/business",
        "hours": -31,
        "updated": 3,
        "authors": ["aokafor"],
        "image": "wind_farm",
        "image_alt": "Illustration: white wind turbines standing in a calm sea at sunrise, "
        "growing smaller towards the horizon.",
        "image_caption": "The first blades are due to leave the works in the autumn. "
        "Illustration: The Newsroom",
        "standfirst": "The blade factory on the old shipyard site received eleven "
        "applications for every place.",
        "body": _p(
            "The wind-turbine blade factory built on the site of the old Eastquay shipyard "
            "has taken on its first 400 apprentices, in a town where the yard’s closure "
            "fifteen years ago left one adult in five out of work.",
            "The company received more than 4,400 applications. About a third of those "
            "taken on are over thirty, many retraining from warehouse and care work; a "
            "dozen are former shipyard workers, now in their fifties, who will teach as "
            "well as learn.",
            "Apprentices will spend two days a week at the town’s college, which has built "
            "a training hall with a full-size blade mould. They are paid from the first "
            "day, at a rate agreed with the union that represents the factory’s staff.",
            "The works is due to ship its first blades in the autumn to an offshore wind "
            "farm forty kilometres off the coast. The company says it will need another "
            "600 people within three years if a second order, now being negotiated, is "
            "signed.",
            "Local leaders are cautious after a decade of promised investment that did not "
            "arrive. “Four hundred jobs is not the shipyard,” said the leader of the town "
            "council. “But it is four hundred people who will be making something again.”",
        ),
    },
    {
        "slug": "grocery-cooperatives-buy-direct-from-farms",
        "title": "Grocery co-operatives band together to buy direct from farms",
        "category": "today/business",
        "hours": -54,
        "authors": ["aokafor"],
        "image": "groceries",
        "image_alt": "Illustration: wooden crates of red, orange, green and purple produce "
        "stacked in rows.",
        "image_caption": "Crates, not pallets: the co-ops buy in small lots. "
        "Illustration: The Newsroom",
        "standfirst": "Twenty-six member-owned shops have formed a buying group to deal "
        "with growers without a wholesaler in the middle.",
        "body": _p(
            "Twenty-six grocery co-operatives have set up a joint buying group that will "
            "deal directly with about ninety farms, cutting out the wholesalers that have "
            "supplied them until now.",
            "The shops, owned by some 60,000 members between them, say they can pay "
            "growers more and still sell for less, because the group will take whole "
            "harvests rather than the standard sizes and shapes that wholesalers demand.",
            "The first season will cover vegetables, apples and eggs. Dairy, which needs "
            "refrigerated transport the group does not yet have, will follow if the first "
            "year goes well.",
            "Growers who have signed up say the main attraction is certainty: a price "
            "agreed before planting, rather than whatever the market pays at harvest.",
        ),
    },
    {
        "slug": "seabird-colony-counts-rise-on-outer-islands",
        "title": "Seabird counts rise on the outer islands for a third year",
        "category": "today/science",
        "featured": 1,
        "hours": -14,
        "authors": ["icarvalho"],
        "image": "seabirds",
        "image_alt": "Illustration: dozens of seabirds wheeling above a grey sea cliff with "
        "white-streaked ledges.",
        "image_caption": "Guillemots nest shoulder to shoulder on narrow ledges. "
        "Illustration: The Newsroom",
        "standfirst": "Volunteers counted more nesting pairs of guillemots and razorbills "
        "than at any time since records began on the islands.",
        "body": _p(
            "The annual count of nesting seabirds on the outer islands found more guillemots "
            "and razorbills than in any year since the survey began, the third rise in a row.",
            "Forty volunteers spent nine days in June counting birds on the cliffs from "
            "boats and from the clifftops, using the same method and the same stretches of "
            "cliff as the first survey thirty-one years ago.",
        )
        + _h2("Rats out, fish in")
        + _p(
            "Researchers credit two things. The first is the removal of rats from the two "
            "largest islands, which ended five years ago after a three-winter campaign. "
            "Rats eat eggs and chicks of the birds that nest in burrows and on low ledges, "
            "and their absence has been followed by the return of storm petrels to "
            "Skarra, where none had bred in living memory.",
            "The second is food. Sandeels, the small fish on which most of these birds feed "
            "their chicks, were plentiful in the surrounding waters for the third summer "
            "running, helped by a ban on industrial sandeel fishing in the area.",
        )
        + _quote("One good run of years should not be mistaken for recovery. Ask me again in ten.")
        + _p(
            "Dr Ruth Allander, who has led the count for twelve years, pointed out that "
            "puffin numbers were flat, and that kittiwakes, small gulls that feed at the "
            "surface, are still less than half as numerous as in the first survey.",
            "The full results will be published in the autumn. The survey needs new "
            "volunteers every year; those with a head for heights are especially welcome.",
        ),
    },
    {
        "slug": "schoolchildren-lake-ice-record-helps-climate-scientists",
        "title": "Sixty years of schoolchildren’s notes on lake ice help climate scientists",
        "category": "today/science",
        "hours": -40,
        "authors": ["icarvalho"],
        "image": "ice_lake",
        "image_alt": "Illustration: a frozen lake with faint cracks in the ice, a row of small "
        "red flags on the ice, and a dark line of pine trees on the far shore.",
        "image_caption": "Pupils mark the ice each winter with the same red flags. "
        "Illustration: The Newsroom",
        "standfirst": "Every winter since 1964, pupils at a village school have written down "
        "the day the lake froze and the day it thawed.",
        "body": _p(
            "Every winter since 1964, the pupils of the village school at Lindvik have "
            "recorded the day their lake froze over and the day the ice broke up. The "
            "exercise books, kept in a cupboard in the staff room, now form one of the "
            "longest unbroken records of lake ice in the region.",
            "A team from the national university has compared the children’s dates with "
            "satellite images for the years in which both exist, and found them accurate to "
            "within two days. The record shows the lake now spends on average 34 fewer days "
            "under ice than it did in the 1960s.",
            "For the scientists, the value lies in the length of the series. Satellites have "
            "watched the lake only since the 1980s; the school’s books double that.",
            "The headteacher says the pupils were less impressed by the publication than by "
            "the visit. “They wanted to know whether they would be in the paper,” she said. "
            "“Now they are.”",
        ),
    },
    {
        "slug": "amateur-astronomers-spot-a-new-comet",
        "title": "Amateur astronomers spot a new comet from a mountain car park",
        "category": "today/science",
        "hours": -76,
        "authors": ["icarvalho"],
        "image": "comet",
        "image_alt": "Illustration: a comet with a long pale-blue tail crossing a starry sky above "
        "dark mountain ridges.",
        "image_caption": "The comet should be visible with binoculars by mid-month. "
        "Illustration: The Newsroom",
        "standfirst": "Two members of a local astronomy club found the comet on images taken "
        "with a telescope they built themselves.",
        "body": _p(
            "Two amateur astronomers have discovered a comet on photographs taken from a car "
            "park high in the mountains, with a telescope they built from parts over three "
            "winters.",
            "The comet was confirmed by two professional observatories within a day and will "
            "carry the names of its discoverers, a retired surveyor and a nurse who met at "
            "their town’s astronomy club.",
            "It is expected to pass closest to the Sun in the spring. Astronomers say it may "
            "become bright enough to see with binoculars from dark places by the middle of "
            "next month, though comets are notoriously hard to predict.",
        ),
    },
    {
        "slug": "in-praise-of-the-public-library",
        "title": "In praise of the public library, the last warm room that asks nothing",
        "category": "opinion",
        "featured": 1,
        "hours": -26,
        "authors": ["jwhitfield"],
        "image": "library",
        "image_alt": "Illustration: four long shelves of books with coloured spines, lit from "
        "above by a warm lamp.",
        "image_caption": "Illustration: The Newsroom",
        "standfirst": "A library is one of the few places left where you can stay all "
        "afternoon without buying anything. We should fund it like we mean it.",
        "body": _p(
            "Every town has a room where you can sit in the warm for an afternoon, read the "
            "papers, print a form, ask a question and leave without spending a coin. We call "
            "it the library, and we have been quietly closing it for twenty years.",
            "The case for libraries is usually made with books, and the books matter. But "
            "the queue at the desk on a Monday morning tells another story: people applying "
            "for jobs, renewing documents, getting help with a phone that will not do what "
            "it is told. A library is where the state still has a human face and an "
            "opening time.",
        )
        + _h2("What we lose when the doors close")
        + _p(
            "When a branch closes, the books move to a larger library across town. The "
            "people mostly do not. Nobody with a pushchair takes two buses to return a "
            "picture book, and nobody who has been turned away from one office goes looking "
            "for another.",
            "The savings are small. The running cost of a branch library is a rounding error "
            "in a council budget. What makes it easy to close is that its users are the "
            "least likely to complain, and the most likely to be elsewhere when the decision "
            "is made.",
        )
        + _quote("Fund libraries for what they are, not for what they were.")
        + _p(
            "That means opening hours that suit people who work, staff who are paid to "
            "help as well as to stamp, and the confidence to say that a warm room with a "
            "free chair is a public good. It is not nostalgia. It is infrastructure.",
        ),
    },
    {
        "slug": "let-the-bus-be-boring",
        "title": "Let the bus be boring: reliability beats novelty every time",
        "category": "opinion",
        "hours": -60,
        "authors": ["jwhitfield"],
        "image": "transit_map",
        "image_alt": "Illustration: a transit map with red, blue, green, yellow and purple lines "
        "crossing a grid, stops marked with white circles.",
        "image_caption": "Illustration: The Newsroom",
        "standfirst": "Every few years a city falls for a shiny new kind of transport. What "
        "passengers want is a bus that comes.",
        "body": _p(
            "Every few years a city council falls in love. It was the guided busway, then "
            "the cable car, then the app that would summon a minibus to your door. Each "
            "arrived with a launch and a ribbon; most are quietly gone.",
            "Meanwhile the ordinary bus, the one that goes up the high street every twelve "
            "minutes, has been cut back a route at a time, because it is boring and nobody "
            "holds a launch for a timetable.",
            "Ask people what would make them leave the car at home and the answers are "
            "dull: a bus that comes when the timetable says, a shelter that keeps the rain "
            "off, a fare you can work out without a degree. None of it photographs well.",
            "My modest proposal for any council with money to spend on transport: spend it "
            "on frequency before anything else. A bus every ten minutes does not need a "
            "timetable at all. That is the most radical idea in public transport, and it is "
            "a hundred years old.",
        ),
    },
    {
        "slug": "a-quiet-film-about-a-lighthouse-keeper",
        "title": "A quiet film about a lighthouse keeper becomes the surprise of the season",
        "category": "culture",
        "featured": 1,
        "hours": -36,
        "authors": ["lpetrovic"],
        "image": "lighthouse",
        "image_alt": "Illustration: a red-and-white striped lighthouse on a dark rock, its beam "
        "sweeping across a dusk sky over the sea.",
        "image_caption": "Shot in a month on a single island. Illustration: The Newsroom",
        "standfirst": "Shot on one island with a cast of three, it has outsold every "
        "blockbuster in the city’s independent cinemas.",
        "body": _p(
            "Nobody expected a ninety-minute film about a lighthouse keeper and his two "
            "visitors to fill cinemas for six weeks, least of all its director, who made it "
            "for less than the catering budget of an average studio picture.",
            "<em>The Long Light</em> was shot in a month on a single island, with the "
            "weather doing much of the work. There is almost no music; the soundtrack is "
            "wind, gulls and the grinding of the lamp’s clockwork.",
        )
        + _h2("Word of mouth")
        + _p(
            "It opened on four screens with no advertising beyond a poster in the cinemas "
            "themselves. By the third week it was on forty. Programmers say the audience is "
            "unusual: older than average, often alone, and inclined to come back with a "
            "friend.",
            "The director, a former documentary maker, puts it down to patience. “Films "
            "have become frightened of silence,” she said at a screening last week. “This "
            "one trusts you to sit with it.”",
            "It is not a film for everyone. Nothing much happens for the first half hour, "
            "and the ending will divide opinion. But it is the rare film that leaves you "
            "noticing the light on the way home.",
        ),
    },
    {
        "slug": "village-brass-band-records-first-album",
        "title": "A village brass band, 150 years old, records its first album",
        "category": "culture",
        "hours": -80,
        "authors": ["lpetrovic"],
        "image": "brass_band",
        "image_alt": "Illustration: the golden bell of a brass instrument at the centre of "
        "rippling rings, with musical notes floating around it.",
        "image_caption": "Illustration: The Newsroom",
        "standfirst": "The Hollin Brass Band has played at every fête, funeral and football "
        "final for a century and a half. Now it has made a record.",
        "body": _p(
            "The Hollin Brass Band has played at fêtes, funerals and football finals since "
            "the year its founders bought their first instruments with a loan from the "
            "colliery. In all that time it never made a record. Last month, in the village "
            "chapel, it finally did.",
            "The album mixes the marches the band has played for generations with pieces "
            "written by its younger members, including a slow hymn by its sixteen-year-old "
            "principal cornet that has already been taken up by bands in three other "
            "counties.",
            "The recording was paid for by the village, which raised the money with a "
            "sponsored walk around the old colliery boundary. Copies are on sale at the "
            "post office, and, the band’s secretary points out, on every streaming service "
            "as well.",
        ),
    },
    {
        "slug": "budget-talks-draft",
        "title": "Budget talks: what each party wants",
        "category": "today/business",
        "status": "draft",
        "hours": -1,
        "authors": ["aokafor"],
        "standfirst": "A draft explainer, not yet published.",
        "body": _p(
            "Notes for the explainer, to be finished after the talks.",
            "Still to do: a table of each party’s demands and a line from each finance "
            "spokesperson.",
        ),
    },
    {
        "slug": "election-night-live-scheduled",
        "title": "Election night: results as they come in",
        "category": "today/world",
        "hours": 72,
        "authors": ["tbrandt"],
        "standfirst": "Scheduled to go live on election night.",
        "body": _p(
            "Live results will appear here as the counts are declared.",
            "Our correspondents are at every count; follow this page through the night.",
        ),
    },
]


# Author profiles of the bylines above: (slug, role, bio). Their photos are drawn
# (articles.demo_images.portrait).
AUTHORS = {
    "editor": (
        "maria-lindqvist",
        "Editor",
        "<p>Maria decides what leads the front page and reads every story before it goes "
        "out. She spent ten years on the regional desk and still answers readers' letters "
        "herself.</p>",
    ),
    "tbrandt": (
        "tomas-brandt",
        "Environment and transport reporter",
        "<p>Tomas covers rivers, railways and the roads between them. He has ridden every "
        "night train in the country at least once, <em>usually in the cheapest berth</em>.</p>",
    ),
    "aokafor": (
        "amara-okafor",
        "Business reporter",
        "<p>Amara writes about the people who make, sell and deliver things: bakers, "
        "factory apprentices, <strong>cooperatives</strong>. Before journalism she kept the "
        "books for a family grocery.</p>",
    ),
    "icarvalho": (
        "ines-carvalho",
        "Science correspondent",
        "<p>Inês reports on the natural world and the people who count it, from seabirds on "
        "the outer islands to comets over the lake. She trained as a marine biologist.</p>",
    ),
    "jwhitfield": (
        "jonah-whitfield",
        "Columnist",
        "<p>Jonah writes a weekly column on the city's shared spaces: libraries, buses and "
        "the benches in between. He answers every letter, eventually.</p>",
    ),
    "lpetrovic": (
        "lena-petrovic",
        "Culture critic",
        "<p>Lena reviews films, records and the occasional village brass band. She likes "
        "slow films and fast music.</p>",
    ),
}

# Tags of the demo articles, by slug.
ARTICLE_TAGS = {
    "river-delta-towns-agree-shared-flood-plan": ["Climate", "Local government"],
    "night-trains-return-to-the-northern-line": ["Rail", "Climate"],
    "harbour-city-closes-old-town-to-cars-on-sundays": ["Local government", "Cities"],
    "small-bakeries-weather-the-price-of-flour": ["Small business", "Food"],
    "turbine-works-hires-first-apprentices": ["Energy", "Jobs"],
    "grocery-cooperatives-buy-direct-from-farms": ["Food", "Small business"],
    "seabird-colony-counts-rise-on-outer-islands": ["Wildlife", "Climate"],
    "schoolchildren-lake-ice-record-helps-climate-scientists": ["Climate", "Citizen science"],
    "amateur-astronomers-spot-a-new-comet": ["Citizen science", "Space"],
    "in-praise-of-the-public-library": ["Cities"],
    "let-the-bus-be-boring": ["Cities", "Local government"],
    "a-quiet-film-about-a-lighthouse-keeper": ["Film"],
    "village-brass-band-records-first-album": ["Music"],
}
# Corrections and updates on published demo articles: (article slug, kind, hours after
# publication, note). Fiction like the rest.
CORRECTIONS = [
    (
        "river-delta-towns-agree-shared-flood-plan",
        "correction",
        1,
        "<p>An earlier version of this article said the towns would install fifty river "
        "gauges. The agreement provides for <strong>forty</strong>.</p>",
    ),
    (
        "river-delta-towns-agree-shared-flood-plan",
        "update",
        2,
        "<p>Port Alder’s council ratified the agreement on Wednesday evening, the first of "
        "the eleven to do so.</p>",
    ),
]
