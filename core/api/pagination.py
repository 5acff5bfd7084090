"""Pagination of the API: page numbers with a bounded, client-chosen page size."""
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargePagination(PageNumberPagination):
    """For time series (readings, aggregates): bigger pages, still bounded."""

    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 2000
