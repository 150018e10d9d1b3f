"""An API protected by Portcullis: run with
    PORTCULLIS_URL=http://127.0.0.1:4000/api/auth /usr/bin/python3 -m uvicorn example.app:app --port 8000
from integrations/fastapi (or with the package installed)."""

import os
from typing import Optional

from fastapi import Depends, FastAPI

from portcullis_fastapi import PortcullisAuth, SessionInfo, User

auth = PortcullisAuth(
    os.environ.get("PORTCULLIS_URL", "http://127.0.0.1:4000/api/auth"),
    timeout=float(os.environ.get("PORTCULLIS_TIMEOUT", "2")),
    cache_ttl=float(os.environ.get("PORTCULLIS_CACHE_TTL", "0")),
)
app = FastAPI(title="Portcullis example API")


@app.on_event("shutdown")
async def close_auth() -> None:
    await auth.aclose()


@app.get("/api/me")
async def me(user: User = Depends(auth.current_user)):
    return {"id": user.id, "email": user.email, "name": user.name}


@app.get("/api/session")
async def session(info: SessionInfo = Depends(auth.current_session)):
    return {"sessionId": info.session.id, "userId": info.user.id, "expiresAt": info.session.expires_at}


@app.get("/api/admin")
async def admin(user: User = Depends(auth.two_factor_user)):
    return {"id": user.id, "twoFactorEnabled": user.two_factor_enabled}


@app.get("/api/hello")
async def hello(user: Optional[User] = Depends(auth.optional_user)):
    return {"message": f"Hello, {user.name}!" if user else "Hello, stranger!"}
