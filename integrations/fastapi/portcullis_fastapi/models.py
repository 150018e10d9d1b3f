"""The user and session as the server's get-session returns them (BetterAuth's shapes), and what
a verified JSON Web Token (the server's --jwt) tells besides its user.

Field names are Python's (snake_case); the JSON keys are BetterAuth's (camelCase). Unknown keys
(additional fields a deployment adds) are ignored. The session's token is deliberately not part of
the model: an API has no use for it, and it is a bearer credential.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Tuple

import pydantic
from pydantic import BaseModel, Field

_PYDANTIC_2 = pydantic.VERSION.startswith("2.")


class _Model(BaseModel):
    if _PYDANTIC_2:
        model_config = {"populate_by_name": True, "extra": "ignore", "frozen": True}
    else:

        class Config:
            allow_population_by_field_name = True
            extra = "ignore"
            frozen = True


class User(_Model):
    id: str
    email: str
    name: str
    email_verified: bool = Field(alias="emailVerified")
    image: Optional[str] = None
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    # The server's --two-factor (BetterAuth's two-factor plugin): the user turned the second
    # factor on. Absent (the plugin off) reads as False.
    two_factor_enabled: bool = Field(default=False, alias="twoFactorEnabled")
    # The server's --admin (BetterAuth's admin plugin): the user's roles as stored, one or several
    # comma-separated ("user", "admin", "user,admin"). Absent (the plugin off) or null reads as
    # "user" (see `roles`).
    role: Optional[str] = None

    @property
    def roles(self) -> Tuple[str, ...]:
        """The user's roles, each trimmed; ("user",) when the server sent none."""
        if self.role is None:
            return ("user",)
        return tuple(r.strip() for r in self.role.split(",") if r.strip())


class Session(_Model):
    # For an API key (the server's --api-key) the server makes a session up: `id` is the key's
    # id, `expires_at` the key's expiry (or a session's lifetime from now), `created_at` and
    # `updated_at` now, and its token is "" (not part of this model either way).
    id: str
    user_id: str = Field(alias="userId")
    expires_at: datetime = Field(alias="expiresAt")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    ip_address: Optional[str] = Field(default=None, alias="ipAddress")
    user_agent: Optional[str] = Field(default=None, alias="userAgent")
    # The server's --organization (BetterAuth's organization plugin): the organization the user
    # chose to work in with this session; None when none is chosen, or the plugin is off.
    active_organization_id: Optional[str] = Field(default=None, alias="activeOrganizationId")


@dataclass(frozen=True)
class Jwt:
    """A JSON Web Token from the server's GET /token, verified here with its published keys.

    It stands for the user, not for a session: it stays valid until expires_at even if the
    session it was issued from is signed out or revoked, or the user is banned."""

    key_id: str  # the kid of the key that signed it
    issued_at: datetime  # iat (UTC)
    expires_at: datetime  # exp (UTC)
    claims: Mapping[str, Any]  # every claim (the user's fields, sub, iat, exp, iss, aud)


def parse(model, data):
    """Builds `model` from a JSON object under pydantic 1 or 2."""
    if _PYDANTIC_2:
        return model.model_validate(data)
    return model.parse_obj(data)
