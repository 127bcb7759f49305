"""Domain errors that views turn into messages beside the field they concern."""


class DomainError(Exception):
    """A rule of the domain was broken; ``field`` names the form field at fault, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)  # may be a lazy string: translated when shown
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or is outside the caller's area): a 404."""
