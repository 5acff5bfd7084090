"""The one error the outreach services raise for a refused action: its message is shown to the user
and ``status_code`` is the HTTP answer (400 bad input, 403 not allowed, 409 wrong state)."""


class OutreachError(Exception):
    status_code = 400

    def __init__(self, message, status_code: int | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if status_code is not None:
            self.status_code = status_code
