"""certificate holds, form keys and status list

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certification_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=False),
    sa.Column('requirement', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certification_holds_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_certification_holds_hub_id_hubs')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_certification_holds_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_certification_holds_placed_by_id_users')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_certification_holds_track_id_tracks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certification_holds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_holds')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_certification_holds_certificate_id'))
    )
    with op.batch_alter_table('certification_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_holds_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index('ix_certification_holds_user_track', ['user_id', 'track_id'], unique=False)

    op.create_table('form_submissions',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_form_submissions'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submissions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoke_category', sa.String(length=32), nullable=False, server_default=''))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_subject_id'), ['subject_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_subject_id_users'), 'users', ['subject_id'], ['id'])

    # Certificates revoked before holds existed: put each holder/track on hold, so
    # nobody is re-certified by the next quiz. Coordinators decide from the queue.
    op.execute(
        "INSERT INTO certification_holds (user_id, track_id, hub_id, certificate_id, placed_at, placed_by_id, "
        "lift_reason, requirement) "
        "SELECT user_id, track_id, hub_id, id, revoked_at, revoked_by_id, '', '' FROM certificates "
        "WHERE revoked_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_subject_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_events_subject_id'))
        batch_op.drop_column('subject_id')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('revoke_category')
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submissions_user_id'))
    op.drop_table('form_submissions')
    with op.batch_alter_table('certification_holds', schema=None) as batch_op:
        batch_op.drop_index('ix_certification_holds_user_track')
        batch_op.drop_index(batch_op.f('ix_certification_holds_hub_id'))
    op.drop_table('certification_holds')
