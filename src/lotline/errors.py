"""lotline's typed errors (`lotline.errors.LotlineError` and its subclasses)."""

from lotline.domain.errors import (
    Ambiguous,
    Conflict,
    DuplicateBatch,
    DuplicateSerial,
    FieldError,
    InsufficientStock,
    InvalidTransition,
    LotBlocked,
    LotlineError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    ReasonRequired,
    Unauthorized,
    ValidationError,
)

__all__ = [
    "Ambiguous", "Conflict", "DuplicateBatch", "DuplicateSerial", "FieldError",
    "InsufficientStock", "InvalidTransition", "LotBlocked", "LotlineError", "NotFound",
    "PayloadTooLarge", "PermissionDenied", "RateLimited", "ReasonRequired", "Unauthorized",
    "ValidationError",
]
