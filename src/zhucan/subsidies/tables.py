from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from zhucan.money.tables import Transfer
from zhucan.people.tables import Elder, StaffUser


class PolicyVersion(Table, tablename="subsidy_policy_version"):
    """A policy stored by PUT /subsidies/policy. Append-only: a later row replaces every earlier
    one that would take effect on or after its date (rules.effective_versions), so what was in
    force on any past day can always be told."""

    id: Serial

    effective_from = Date()
    body = Text()  # SubsidyPolicy as JSON
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()


class IssueRun(Table, tablename="subsidy_issue_run"):
    """One row per month issued. Every batch of a month's issue takes this row's lock first, so
    two runs of the same month at once take turns and the second finds the first's grants."""

    id: Serial

    month = Varchar(length=7, unique=True)  # YYYY-MM
    started_by = Varchar(length=64, default="")
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class MonthlyGrant(Table, tablename="subsidy_monthly_grant"):
    """What one elder got in one month's issue; unique (month, elder) in the migrations."""

    id: Serial

    month = Varchar(length=7)
    elder = ForeignKey(references=Elder, index=True, on_delete=OnDelete.no_action)
    card_fen = Integer()
    points = Integer()
    transfer = ForeignKey(references=Transfer, on_delete=OnDelete.no_action)


class TimebankEntry(Table, tablename="timebank_entry"):
    """Hours a younger elder or a volunteer spent helping an older elder; points on approval."""

    id: Serial

    helper_elder = ForeignKey(
        references=Elder, null=True, default=None, index=True, on_delete=OnDelete.no_action
    )
    helper_staff = ForeignKey(
        references=StaffUser, null=True, default=None, index=True, on_delete=OnDelete.no_action
    )
    helped_elder = ForeignKey(references=Elder, index=True, on_delete=OnDelete.no_action)
    service_date = Date()
    minutes = Integer()
    description = Varchar(length=200, default="")
    status = Varchar(length=10, default="pending")  # schemas.TimebankStatus
    points = Integer(default=0)
    transfer = ForeignKey(
        references=Transfer, null=True, default=None, on_delete=OnDelete.no_action
    )
    logged_by = Varchar(length=64)
    decided_by = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
