"""Hand-written coverage of a few events by different publishers (no real articles shipped).

Each event is reported three times in different words; the singletons match nothing.
"""

from tests.stories.texts import CHIPS, FLOOD_A, FLOOD_B, RECIPE

FLOOD_C = (
    "Spain: twelve missing after Turia floods in Valencia\n"
    "Spanish emergency services said twelve people were unaccounted for after the Turia burst "
    "its banks in Valencia. About 4,000 residents left their homes overnight and boats carried "
    "rescuers through the Benimaclet district. Mayor Maria Catala told people not to go out."
)

CHIPS_B = (
    "Nvidia revenue hits $35 billion on data-centre demand\n"
    "Nvidia's third-quarter revenue climbed to a record $35 billion as cloud companies bought "
    "its data-centre processors, the chipmaker said on Wednesday. Jensen Huang said Blackwell "
    "supply would get better next year; the shares gained 3% after hours."
)
CHIPS_C = (
    "Record quarter for Nvidia as Jensen Huang promises more Blackwell chips\n"
    "Chipmaker Nvidia posted record revenue of $35 billion for its third quarter on Wednesday, "
    "lifted by data-centre sales. Chief executive Jensen Huang said Blackwell supply will "
    "improve next year. Nvidia shares were up 3% in extended trading."
)

STRIKE_A = (
    "Rail workers in Ontario vote to strike over pay\n"
    "Members of the Teamsters union at Canadian National voted 94% in favour of a strike in "
    "Ontario, the union said on Friday. Negotiations over wages and rest periods broke down last "
    "month, and the union said a walkout could begin on 22 August."
)
STRIKE_B = (
    "Canadian National faces strike after 94% Teamsters vote\n"
    "Teamsters members at Canadian National backed strike action by 94%, raising the prospect of "
    "a rail shutdown in Ontario from 22 August. Talks on pay and rest periods collapsed last "
    "month, the union said on Friday."
)
STRIKE_C = (
    "Ontario rail strike looms as Teamsters back walkout\n"
    "A walkout at Canadian National could start on 22 August after 94% of Teamsters members "
    "voted for a strike, the union announced Friday. The two sides failed to agree on wages and "
    "rest periods last month in Ontario."
)

ELECTION = (
    "Iceland's Independence Party loses ground in snap election\n"
    "Voters in Iceland gave the Social Democratic Alliance the most seats in Saturday's snap "
    "election, while the Independence Party of Bjarni Benediktsson fell to its worst result. "
    "Kristrun Frostadottir is expected to lead coalition talks in Reykjavik."
)

EVENTS = {
    "flood": [FLOOD_A, FLOOD_B, FLOOD_C],
    "chips": [CHIPS, CHIPS_B, CHIPS_C],
    "strike": [STRIKE_A, STRIKE_B, STRIKE_C],
}
SINGLETONS = [RECIPE, ELECTION]
