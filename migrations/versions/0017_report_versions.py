"""report versions: one row per hub, raised by every write that moves a dashboard figure

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # Declared in lms/reports/freshness.py. No backfill: a missing row reads as version 0,
    # and each worker's kept figures start empty.
    op.create_table('report_versions',
    sa.Column('hub_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hub_key', name=op.f('pk_report_versions'))
    )


def downgrade():
    op.drop_table('report_versions')
