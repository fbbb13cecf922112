"""Alembic environment: the schema's only authority is the revisions in versions/.

`projects db upgrade` passes its own connection in ``config.attributes``; a
developer may also run ``alembic -x db=URL upgrade head`` from the checkout
(script_location is set in pyproject.toml).
"""

from alembic import context
from sqlmodel import SQLModel

import projects_cli.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

# In a list, so that the models' naming convention reaches only autogenerate (which
# writes each name into the revision it makes): alembic gives the convention of a
# lone MetaData to every operation it runs, and a revision must do today what it
# did when it was written (0001 and 0002 left PostgreSQL to name their keys).
target_metadata = [SQLModel.metadata]


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from projects_cli.config.settings import db_url, default_db
    from projects_cli.store.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("db") or default_db()
    engine = make_engine(db_url(url))
    with engine.begin() as conn:
        run_migrations(conn)
