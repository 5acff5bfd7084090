"""App configuration of dispatch: it registers itself as the handler of escalated warnings."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch (closed loop)")

    def ready(self):
        from core import escalation

        from .services.escalations import work_orders_open_many
        from .services.orders import work_order_open_from_escalation

        escalation.register(work_order_open_from_escalation, many=work_orders_open_many)
