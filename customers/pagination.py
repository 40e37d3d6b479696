"""Lists that count only as far as a person reads.

Nobody pages through a million customers: past 10,000 matches a person narrows the
search. So the list counts at most COUNT_CAP + 1 rows (`COUNT(*)` over a `LIMIT`, which
stops early instead of counting a million rows on every page view), shows "10,000+",
and offers the pages up to the cap (400 pages of 25). Deep pages stay within that limit,
so OFFSET never walks more than 10,000 index entries; keyset pagination would make deep
pages cheaper still but loses "page N of M" and the jump to a page, which staff use.

Few matches far apart in the list's order (a search by name, a rare filter) are the
other slow case: PostgreSQL expects a `LIKE '%…%'` to match often, walks the (name, id)
index for the first 25 in order and discards half a million rows on the way (1.4 s at a
million customers). So the count query reads the matching ids themselves (up to the
cap + 1, in the order the filter's own index gives them, no sort: the same scan as the
capped COUNT) and counts them; when there are at most FEW, the page is read by those
ids (primary key, then a sort of at most FEW rows). One query for the count either
way, as before."""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
FEW = 500


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says there are more."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _ids(self) -> list:
        # Without ordering or per-row annotations: the count only needs the rows' ids,
        # in whatever order the filter's best index gives them.
        return list(self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def _counted(self) -> int:
        return len(self._ids)

    @cached_property
    def _few_ids(self) -> list | None:
        # All the matches, when they are few: fewer than the cap, or the ids would be
        # only the first cap + 1 in no particular order.
        return self._ids if len(self._ids) <= min(FEW, self.cap) else None

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if self._few_ids is None:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list.filter(pk__in=self._few_ids)[bottom : bottom + self.per_page]
        return self._get_page(rows, number, self)
