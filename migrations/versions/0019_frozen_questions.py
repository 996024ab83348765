"""frozen questions: each question's text as attempts showed it, stored once under its
digest; attempts keep the digests and their choice orders instead of full copies

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 19:50:00

"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BATCH = 500

attempts = sa.table('quiz_attempts', sa.column('id', sa.Integer), sa.column('snapshot', sa.JSON))
frozen = sa.table('frozen_questions', sa.column('digest', sa.String), sa.column('body', sa.JSON))


def _digest(body):
    # The same rule as lms.learning.frozen_questions.digest_of, written out here so this
    # migration keeps meaning what it meant when the app's code moves on.
    text = json.dumps(body, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _rewrite(convert):
    """Every attempt's snapshot through `convert`, a batch of rows at a time."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(attempts.c.id, attempts.c.snapshot).where(attempts.c.id > last).order_by(attempts.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            connection.execute(attempts.update().where(attempts.c.id == row.id).values(snapshot=convert(row.snapshot or [])))
        last = rows[-1].id


def upgrade():
    op.create_table('frozen_questions',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_frozen_questions'))
    )
    connection = op.get_bind()
    stored = set()

    def compact(snapshot):
        entries = []
        for question in snapshot:
            body = {name: value for name, value in question.items() if name != 'order'}
            digest = _digest(body)
            if digest not in stored:
                connection.execute(frozen.insert().values(digest=digest, body=body))
                stored.add(digest)
            entries.append({'frozen': digest, 'order': list(question['order'])})
        return entries

    _rewrite(compact)


def downgrade():
    connection = op.get_bind()
    bodies = {row.digest: row.body for row in connection.execute(sa.select(frozen.c.digest, frozen.c.body))}
    _rewrite(lambda entries: [{**bodies[entry['frozen']], 'order': entry['order']} for entry in entries])
    op.drop_table('frozen_questions')
