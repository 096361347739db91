"""Hand-written article texts for the stories tests (no real articles are shipped)."""

FLOOD_A = (
    "Floods force thousands from homes in Valencia\n"
    "Heavy rain caused the Turia river to burst its banks on Tuesday, forcing 4,000 residents "
    "of Valencia to leave their homes. Spain's emergency agency said 12 people were missing. "
    "Mayor Maria Catala asked residents to stay indoors as rescue teams used boats to reach "
    "flooded streets in the Benimaclet district."
)
FLOOD_B = (
    "Valencia evacuates 4,000 as Turia river overflows\n"
    "Rescue teams in boats reached the Benimaclet district of Valencia after the Turia river "
    "overflowed following torrential rain. Around 4,000 people were evacuated and 12 are "
    "missing, Spain's emergency agency said. Mayor Maria Catala urged people to stay at home."
)
CHIPS = (
    "Chipmaker Nvidia reports record quarterly revenue\n"
    "Nvidia said on Wednesday that revenue rose to $35 billion in the third quarter, driven by "
    "demand for its data-centre processors. Chief executive Jensen Huang told analysts that "
    "supply of the Blackwell chips would improve next year. Shares rose 3% in late trading."
)
RECIPE = (
    "How to bake a sourdough loaf at home\n"
    "A good sourdough needs a lively starter, strong bread flour, water and salt. Mix, rest the "
    "dough, fold it every half hour, shape it and let it prove overnight in the fridge before "
    "baking it in a hot covered pot for forty minutes."
)

WIRE_STORY = [
    "The city council of Northfield voted on Monday night to approve a new public library on "
    "the site of the former bus depot, ending a three year dispute over how the land should be "
    "used and who should pay for the cleanup of the contaminated soil beneath it.",
    "Council member Ada Brennan, who proposed the plan, said the library would include a "
    "children's wing, a maker space with laser cutters and sewing machines, and meeting rooms "
    "that local groups could book free of charge on weekday evenings.",
    "The vote was seven to two. The two members who opposed it said the estimated cost of "
    "eighteen million dollars was too high at a time when the city faces a shortfall in its "
    "pension fund and road repairs have been postponed for a second year.",
    "Construction is expected to begin next spring once the state environmental agency signs "
    "off on the soil remediation plan, and the building could open to the public by the autumn "
    "of the following year if the work runs to schedule.",
    "Residents at the meeting applauded after the result was announced. Several parents said "
    "the nearest library branch is a forty minute bus ride away and closes at five in the "
    "afternoon, too early for children to visit after school activities.",
]

OTHER_STORY = [
    "A regional airline said on Thursday it would suspend flights between Easton and Port "
    "Vale for the winter season because of falling passenger numbers and the rising price of "
    "jet fuel, leaving the island without a direct air link until April.",
    "The company's operations director, Samuel Okafor, said bookings had dropped by almost a "
    "third since the summer and that each flight was losing money even with the subsidy paid "
    "by the island government under a contract signed two years ago.",
    "Island officials said they were disappointed and would ask the ferry operator to add an "
    "extra crossing on Fridays and Sundays so that students and hospital patients could still "
    "travel to the mainland at the weekend without staying overnight.",
    "Tourism businesses warned the suspension could hurt bookings for the Christmas market, "
    "which attracted more than twenty thousand visitors last year, many of whom flew in for a "
    "single night from the capital and other cities on the mainland.",
]
