"""report speed: indexes for "active in the last 30 days" on the dashboards

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 13:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Declared in lms/reports/scope.py: the dashboards ask each volunteer for one recent
    # lesson mark or quiz submission.
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_progress_user_completed', ['user_id', 'completed_at'], unique=False)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_user_submitted', ['user_id', 'submitted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_user_submitted')

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_user_completed')
