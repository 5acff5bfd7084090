"""Writes of the dashboard (it has one)."""
from .tracing_orders import tracing_order_open

__all__ = ["tracing_order_open"]
