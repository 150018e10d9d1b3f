"""FastAPI dependencies that learn who is calling by asking a Portcullis server (or, with
jwt=True, by verifying its JSON Web Tokens locally).

    auth = PortcullisAuth("http://127.0.0.1:4000/api/auth")

    @app.get("/me")
    async def me(user: User = Depends(auth.current_user)):
        return user

A program may call with an API key (the server's --api-key) in the `x-api-key` header instead of
a cookie: the same dependencies answer for the key's owner (SessionInfo.via_api_key is True).
See README.md for the options, the failure modes, the cache, API keys and JWT mode.
"""

from .auth import ApiKeyRefused, AuthServiceUnavailable, NotAuthenticated, PortcullisAuth, SessionInfo
from .models import Jwt, Session, User

__all__ = [
    "PortcullisAuth",
    "SessionInfo",
    "User",
    "Session",
    "Jwt",
    "AuthServiceUnavailable",
    "NotAuthenticated",
    "ApiKeyRefused",
]
