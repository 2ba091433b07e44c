"""One error shape for pages and the API: a stable code, a translated message, the field."""


class DomainError(Exception):
    """A rule refused an action. `message` is already translated for the current user."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}
