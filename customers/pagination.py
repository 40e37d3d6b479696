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
million customers). So the count query (the same scan as the capped COUNT) also returns
the first FEW + 1 matching ids; when there are at most FEW matches, the page is read by
those ids (primary key, then a sort of at most FEW rows). One query for the count either
way, as before, and never more than FEW + 1 ids leave the database."""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_CAP = 10_000
FEW = 500


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says there are more."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted_and_few(self) -> tuple[int, list | None]:
        """The count up to the cap + 1, and the matching ids when there are at most FEW
        of them (else None), in one query: the ids up to the cap + 1 in whatever order
        the filter's best index gives them (no ordering, no per-row annotations), with a
        window COUNT over them; only the first FEW + 1 rows leave the database."""
        ids = self.object_list.order_by().values("pk")[: self.cap + 1]
        try:
            sql, params = ids.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (e.g. an empty id list)
            return 0, []
        counted_sql = f"SELECT COUNT(*) OVER (), capped.* FROM ({sql}) capped LIMIT %s"  # noqa: S608
        with connections[ids.db].cursor() as cursor:
            cursor.execute(counted_sql, (*params, FEW + 1))
            rows = cursor.fetchall()
        counted = rows[0][0] if rows else 0
        # All the matches, when they are few (and fewer than the cap: otherwise the ids
        # would be only the first cap + 1 in no particular order).
        few = [row[1] for row in rows] if counted <= min(FEW, self.cap) else None
        return counted, few

    @cached_property
    def _counted(self) -> int:
        return self._counted_and_few[0]

    @cached_property
    def _few_ids(self) -> list | None:
        return self._counted_and_few[1]

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
