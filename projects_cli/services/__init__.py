"""The office's routine, one module per concept: registry, milestones, investment, issues, cards, flag, report, progress.

A service takes a session and an actor (`store.changelog.Ctx`), applies the
rules, writes through the change log, and never prints. Imports `facts/` and below.
"""
