"""Models of fieldsync: drafts of rounds filled on phones."""
from .drafts import RoundDraft

__all__ = ["RoundDraft"]
