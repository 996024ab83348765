"""people and homes: hub names in Kazakh and Russian

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 14:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_kk', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_ru', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.drop_column('name_ru')
        batch_op.drop_column('name_kk')
