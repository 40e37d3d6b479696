"""Lists that count only as far as a person reads.

Nobody pages through a million customers: past 10,000 matches a person narrows the
search. So the list counts at most COUNT_CAP + 1 rows (`COUNT(*)` over a `LIMIT`, which
stops early instead of counting a million rows on every page view), shows "10,000+",
and offers the pages up to the cap (400 pages of 25). Deep pages stay within that limit,
so OFFSET never walks more than 10,000 index entries; keyset pagination would make deep
pages cheaper still but loses "page N of M" and the jump to a page, which staff use."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says there are more."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        # Without ordering or per-row annotations: the count only needs the rows' ids.
        rows = self.object_list.order_by().values("pk")[: self.cap + 1]
        return rows.count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
