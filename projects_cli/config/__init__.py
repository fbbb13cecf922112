"""Everything the office edits: settings and config.toml, the rules file, the working-day calendar, chains.

Each file is read and checked here and nowhere else, through one reader
(`schema`: TOML read safely, then each key against its kind, choices and range):
`office` holds the config file's sections, `rulebook` the rules file's keys. A
mistake in either is a `ConfigError` naming the file, the line, the section and
the key, Chinese first. Imports only `errors`, `values`, `vocab` and `rules/`
(the floor below).
"""
