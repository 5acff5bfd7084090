"""The one error a channel raises when it could not deliver: its reason, and whether a retry can help."""


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent
