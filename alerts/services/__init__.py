"""Writes of alerts: the 5-minute evaluation, and the use cases of people on warnings and windows."""
from .alerts import (
           alert_acknowledge,
           alert_can_acknowledge,
           alert_can_close,
           alert_close,
)
from .evaluation import EvaluationResult, evaluate
from .silences import silence_cancel, silence_decide, silence_declare, silence_may_decide

__all__ = ["evaluate", "EvaluationResult", "alert_acknowledge", "alert_close", "alert_can_acknowledge",
           "alert_can_close", "silence_declare", "silence_cancel", "silence_decide", "silence_may_decide"]
