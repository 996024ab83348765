"""hub safeguarding contacts and lesson kits

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safeguarding', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('emergency', sa.String(length=300), server_default='', nullable=False))

    op.create_table('course_kits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('track', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_kits_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_kits')),
    sa.UniqueConstraint('course_id', 'language', name=op.f('uq_course_kits_course_id'))
    )
    with op.batch_alter_table('course_kits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_kits_track'), ['track'], unique=False)


def downgrade():
    with op.batch_alter_table('course_kits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_kits_track'))

    op.drop_table('course_kits')
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.drop_column('emergency')
        batch_op.drop_column('safeguarding')
