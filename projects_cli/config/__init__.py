"""Everything the office edits: settings and config.toml, the rules file, the working-day calendar, chains.

Each file is read and validated here and nowhere else; a mistake in one is a
`ConfigError` that names the file, the section and the key. Imports only `errors`,
`values`, `vocab` and `rules/` (the floor below).
"""
