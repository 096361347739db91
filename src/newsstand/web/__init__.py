"""What every web page shares, below the packages that own pages: teasers and the lead-image
rule (`presentation`), paged card lists (`listing`), chart drawing (`charts`) and the anonymous
page cache's generation (`pagecache`). It imports only `articles`, so any package may use it.
"""
