"""What was on record at an as-of date, read set-based: the queries reports, cards, the flag, sheets and ledgers share.

A few queries for the whole registry, never one per project; nothing here
writes. Imports `store/`, `rules/` and below.
"""
