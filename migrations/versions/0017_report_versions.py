"""report versions: one row per hub, raised by every write that moves a dashboard figure;
an index for reading lessons led from the index alone

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
    # Declared in lms/reports/scope.py: lessons led in a period, read from the index alone.
    with op.batch_alter_table('lesson_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_deliveries_report', ['status', 'led_on', 'user_id', 'track_id', 'school',
                                                              'online', 'children', 'parents'], unique=False)


def downgrade():
    with op.batch_alter_table('lesson_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_deliveries_report')
    op.drop_table('report_versions')
