from rest_framework.pagination import PageNumberPagination


class TurklePagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``, ``?page=N``; a page out of range is a 404."""

    page_size = 100


class TurkleProjectPagination(TurklePagination):
    page_size = 20
