"""FastAPI dependencies that learn who is calling by asking a Portcullis server.

    auth = PortcullisAuth("http://127.0.0.1:4000/api/auth")

    @app.get("/me")
    async def me(user: User = Depends(auth.current_user)):
        return user

See README.md for the options, the failure modes and the cache.
"""

from .auth import AuthServiceUnavailable, PortcullisAuth, SessionInfo
from .models import Session, User

__all__ = ["PortcullisAuth", "SessionInfo", "User", "Session", "AuthServiceUnavailable"]
