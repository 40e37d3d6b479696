from loyalty.models.annual import AnnualReward, AnnualRewardCatchUp, AnnualRewardRun
from loyalty.models.choices import (
    LEVEL_RANK,
    LOT_KINDS,
    AnnualRewardStatus,
    CardStatus,
    EntryKind,
    LevelCode,
    RedemptionStatus,
    RewardKind,
)
from loyalty.models.ledger import Card, ExpiryNotice, ExpiryRun, LedgerEntry, Redemption, Reward
from loyalty.models.liability import LiabilityFigures, LiabilityFiguresRefresh
from loyalty.models.rules import (
    GRADE_RANK,
    AnnualRewardPolicy,
    AnnualRewardTier,
    CardLevel,
    Rulebook,
)

__all__ = [
    "GRADE_RANK",
    "LEVEL_RANK",
    "LOT_KINDS",
    "AnnualReward",
    "AnnualRewardCatchUp",
    "AnnualRewardPolicy",
    "AnnualRewardRun",
    "AnnualRewardStatus",
    "AnnualRewardTier",
    "Card",
    "CardLevel",
    "CardStatus",
    "EntryKind",
    "ExpiryNotice",
    "ExpiryRun",
    "LedgerEntry",
    "LevelCode",
    "LiabilityFigures",
    "LiabilityFiguresRefresh",
    "Redemption",
    "RedemptionStatus",
    "Reward",
    "RewardKind",
    "Rulebook",
]
