"""The user and session as the server's get-session returns them (BetterAuth's shapes).

Field names are Python's (snake_case); the JSON keys are BetterAuth's (camelCase). Unknown keys
(additional fields a deployment adds) are ignored. The session's token is deliberately not part of
the model: an API has no use for it, and it is a bearer credential.
"""

from datetime import datetime
from typing import Optional

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


class Session(_Model):
    id: str
    user_id: str = Field(alias="userId")
    expires_at: datetime = Field(alias="expiresAt")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    ip_address: Optional[str] = Field(default=None, alias="ipAddress")
    user_agent: Optional[str] = Field(default=None, alias="userAgent")


def parse(model, data):
    """Builds `model` from a JSON object under pydantic 1 or 2."""
    if _PYDANTIC_2:
        return model.model_validate(data)
    return model.parse_obj(data)
