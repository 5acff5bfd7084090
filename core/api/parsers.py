"""JSON parser that answers 400 for JSON nested too deep for Python's decoder (a RecursionError, which
DRF's JSONParser lets through as a 500), e.g. a body of 5,000 ``[``."""
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deep") from None
