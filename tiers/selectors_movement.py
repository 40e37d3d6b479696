"""Grade movement for the managers' home page: what the latest evaluation the committee
decided changed, in the user's report scope (tiers.selectors.report_scope). Two
queries: the evaluation, then its decided proposals grouped by from/to grade on the
(evaluation, owner_id) index."""

import datetime
from typing import Any

from django.db.models import Count, F

from tiers.models import ChangeType, Proposal, ProposalStatus
from tiers.selectors import GRADE_RANK, latest_decided_evaluation, report_scope


def grade_movement_latest(*, user, today: datetime.date) -> dict[str, Any]:
    evaluation = latest_decided_evaluation(month=today)
    counts = {ChangeType.UPGRADE: 0, ChangeType.DOWNGRADE: 0, ChangeType.NEW: 0}
    if evaluation is not None:
        changes = (
            report_scope(user=user)
            .filter(Proposal.objects.filter(evaluation=evaluation))
            .filter(status__in=[ProposalStatus.APPROVED, ProposalStatus.OVERRIDDEN])
            .exclude(decided_grade=F("from_grade"))
            .order_by()
            .values("from_grade", "decided_grade")
            .annotate(n=Count("pk"))
        )
        for row in changes:
            before, after = GRADE_RANK[row["from_grade"]], GRADE_RANK[row["decided_grade"]]
            if before == 0:
                counts[ChangeType.NEW] += row["n"]
            elif after > before:
                counts[ChangeType.UPGRADE] += row["n"]
            else:
                counts[ChangeType.DOWNGRADE] += row["n"]
    return {
        "evaluation": evaluation,
        "rows": [
            {"kind": str(kind), "label": kind.label, "customers": counts[kind]}
            for kind in (ChangeType.UPGRADE, ChangeType.DOWNGRADE, ChangeType.NEW)
        ],
    }
