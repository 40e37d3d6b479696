"""Cursor pagination for big lists: a page costs one index range however deep it is (no
COUNT, no OFFSET over a million customers), and rows added meanwhile do not shift pages."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """`?page_size=` up to 100 (default 50); the view's `cursor_ordering` (a unique
    tail, e.g. ("name", "id")) or `ordering` decides the order."""

    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None) or getattr(view, "ordering", None)
        if ordering:
            return (ordering,) if isinstance(ordering, str) else tuple(ordering)
        return (self.ordering,)

    def get_page_size(self, request):
        size = super().get_page_size(request)
        return max(1, size or self.page_size)
