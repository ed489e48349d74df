"""Errors a user can act on. Pages show their message as it is; nothing else reaches a user."""


class UserFacingError(Exception):
    """Base class: the message is written for the person using the portal."""


class ValidationError(UserFacingError, ValueError):
    """Input a user can correct; the message says how. A whole form's check raises one
    carrying every problem it found as `problems`, (field, message) pairs, so the user
    hears them all at once (`portal.validation.FormProblems` gathers them)."""

    def __init__(self, message: str, problems: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class PermissionDenied(UserFacingError):
    """The database refused the action for this user."""


class NotFound(UserFacingError):
    """The thing asked for does not exist, or is not visible to this user."""
