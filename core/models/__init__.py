"""Models of core."""
from .idempotency import EXPIRES_AFTER, IdempotencyRecord

__all__ = ["EXPIRES_AFTER", "IdempotencyRecord"]
