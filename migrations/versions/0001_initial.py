"""initial: the registry, milestones, investment, change log, issues, cards, flag, sheets, dispatches

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 01:19:14.861678
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('command', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('record_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('project_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_by'), ['by'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_log_project_code'), ['project_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_log_record_key'), ['record_key'], unique=False)

    op.create_table('counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', 'year')
    )
    op.create_table('sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('year', 'seq')
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('dispatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('fingerprints', sa.JSON(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_unit_id'), ['unit_id'], unique=False)

    op.create_table('flag_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('components', sa.JSON(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('flag', sa.Boolean(), nullable=False),
    sa.Column('bottom', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period', 'unit_id')
    )
    with op.batch_alter_table('flag_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_score_unit_id'), ['unit_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('categories', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('cluster', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('floor_area', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('capacity', sa.Text(), nullable=True),
    sa.Column('total_investment', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('leader', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('task_force', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('plan_columns', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('site_progress', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_chain'), ['chain'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_leader'), ['leader'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_unit_id'), ['unit_id'], unique=False)

    op.create_table('card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('color', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('fired', sa.JSON(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'period', 'manual')
    )
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.create_index('ix_card_period_color', ['period', 'color'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_project_id'), ['project_id'], unique=False)

    op.create_table('investment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'year')
    )
    with op.batch_alter_table('investment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investment_plan_project_id'), ['project_id'], unique=False)

    op.create_table('investment_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'month')
    )
    with op.batch_alter_table('investment_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investment_report_project_id'), ['project_id'], unique=False)

    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.Column('lookback_on', sa.Date(), nullable=True),
    sa.Column('lookback_done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_state'), ['state'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('baseline_date', sa.Date(), nullable=True),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('actual_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'kind')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_project_id'), ['project_id'], unique=False)

    op.create_table('progress_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('progress', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_report_project_id'), ['project_id'], unique=False)

    op.create_table('issue_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('issue_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_event_issue_id'), ['issue_id'], unique=False)

    op.create_table('issue_helper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issue_id', 'unit_id')
    )
    with op.batch_alter_table('issue_helper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_helper_issue_id'), ['issue_id'], unique=False)

    op.create_table('milestone_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestone_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_plan_milestone_id'), ['milestone_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('milestone_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_plan_milestone_id'))

    op.drop_table('milestone_plan')
    with op.batch_alter_table('issue_helper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_helper_issue_id'))

    op.drop_table('issue_helper')
    with op.batch_alter_table('issue_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_event_issue_id'))

    op.drop_table('issue_event')
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_report_project_id'))

    op.drop_table('progress_report')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_project_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_state'))
        batch_op.drop_index(batch_op.f('ix_issue_project_id'))
        batch_op.drop_index(batch_op.f('ix_issue_lead_unit_id'))

    op.drop_table('issue')
    with op.batch_alter_table('investment_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investment_report_project_id'))

    op.drop_table('investment_report')
    with op.batch_alter_table('investment_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investment_plan_project_id'))

    op.drop_table('investment_plan')
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_project_id'))
        batch_op.drop_index('ix_card_period_color')

    op.drop_table('card')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_name'))
        batch_op.drop_index(batch_op.f('ix_project_leader'))
        batch_op.drop_index(batch_op.f('ix_project_chain'))

    op.drop_table('project')
    with op.batch_alter_table('flag_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_score_unit_id'))

    op.drop_table('flag_score')
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_unit_id'))

    op.drop_table('dispatch')
    op.drop_table('unit')
    op.drop_table('sheet')
    op.drop_table('counter')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_record_key'))
        batch_op.drop_index(batch_op.f('ix_change_log_project_code'))
        batch_op.drop_index(batch_op.f('ix_change_log_by'))

    op.drop_table('change_log')
