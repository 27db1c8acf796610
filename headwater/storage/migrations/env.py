"""Alembic environment for the instance database.

Migrations are only run programmatically (``headwater.storage.migrate``): the caller passes an
open connection, already inside a transaction, through ``config.attributes["connection"]``.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Headwater migrations run through headwater.storage.migrate.upgrade(), "
                       "which passes an open connection; offline mode is not supported.")

context.configure(connection=connection, target_metadata=None,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
