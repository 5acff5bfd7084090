"""Models of audit."""
from .entries import AuditEntry

__all__ = ["AuditEntry"]
