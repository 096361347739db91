"""For You: a reader's own feed, ranked from what they read, save and follow.

Pure so far: the reader model (`model`), candidates (`candidates`), the page (`feed`) and the
offline evaluation on the MIND format (`evaluation`). The database adapter that fills
`inputs.ReaderSignals` and `inputs.FollowSet` from `newsstand.personal` comes later.
"""
