"""Base of the API's views: standard pagination (the schema class and the error format are set in
settings). Jurisdiction-restricted bases are in ``enterprises.api.viewsets``, where the rules live."""
from .pagination import StandardPagination


class ApiMixin:
    pagination_class = StandardPagination
