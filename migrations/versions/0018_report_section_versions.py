"""report versions per section: one row per (section, hub), so a write moves only the part
of a dashboard it can change (an enrolment: its hub's enrolment figures)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 20:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    # Declared in lms/reports/freshness.py. The rows only say "may have changed since": none
    # is carried over, and a missing row reads as version 0. Kept figures live in the workers,
    # which the deploy that brings this code restarts, so none was kept under the old rows.
    op.drop_table('report_versions')
    op.create_table('report_versions',
    sa.Column('section', sa.String(length=16), nullable=False),
    sa.Column('hub_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('section', 'hub_key', name=op.f('pk_report_versions'))
    )


def downgrade():
    op.drop_table('report_versions')
    op.create_table('report_versions',
    sa.Column('hub_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hub_key', name=op.f('pk_report_versions'))
    )
