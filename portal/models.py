"""Domain models shared by services and pages."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar
from uuid import UUID

T = TypeVar("T")


class Role(StrEnum):
    """A user's role in the portal (`public.app_role` in the database)."""

    CANDIDATE = "candidate"
    ALUMNUS = "alumnus"
    EMPLOYEE = "employee"
    RECRUITER = "recruiter"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"alumnus": "Alumnus"}.get(self.value, self.value.capitalize())

    @property
    def is_staff(self) -> bool:
        """Recruiters and admins run the portal; everyone else uses it."""
        return self in (Role.RECRUITER, Role.ADMIN)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or a visitor (`user_id` None)."""

    user_id: UUID | None = None
    email: str | None = None
    role: Role | None = None
    full_name: str | None = None

    @classmethod
    def visitor(cls) -> Actor:
        return cls()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def db_role(self) -> str:
        """The Postgres role the actor's work runs as, as PostgREST would choose it."""
        return "authenticated" if self.signed_in else "anon"

    def jwt_claims(self) -> str:
        """The claims `auth.uid()`, `auth.role()` and `auth.jwt()` read."""
        claims: dict[str, str] = {"role": self.db_role}
        if self.signed_in:
            claims["sub"] = str(self.user_id)
            claims["email"] = self.email or ""
        return json.dumps(claims)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email or "Visitor"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list, and how long the list is."""

    rows: Sequence[T]
    total: int
    number: int  # 1-based
    size: int
    # The list goes on past `total`: a long list is counted only so far (counting a million
    # rows on every page would cost more than the page), and `total` is that floor.
    more: bool = False

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @staticmethod
    def offset(number: int, size: int) -> int:
        return (max(1, number) - 1) * size
