"""The database floor: tables, engine and sessions, bulk driver-level I/O, schema upgrade/backup/check, the change log.

Everything that touches SQL directly lives here or in `facts/`; nothing above
opens a connection of its own. Imports `config/` and below.
"""
