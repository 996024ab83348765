"""password help requests

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_password_help_requests_hub_id_hubs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_help_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_help_requests'))
    )
    with op.batch_alter_table('password_help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_help_requests_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_help_requests_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_help_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_help_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_password_help_requests_hub_id'))
    op.drop_table('password_help_requests')
