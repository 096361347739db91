"""Reading apps sync with Newsstand: app passwords and the Miniflux, Google Reader and Fever APIs.

Apps (Reeder, NetNewsWire, ReadYou, …) speak one of three de-facto sync APIs. Each maps the same
things onto Newsstand: feeds are the publishers a reader follows, entries are their articles,
read and starred are the reader's History and Saved (docs/decisions.md, "Sync"). Every entry's
body passes the gate (`sync.entries`): members get the whole article, everyone else the teaser.

Top layer: imports gate, personal, membership, articles, sources, accounts; nothing imports it.
"""
