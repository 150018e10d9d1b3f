"""An API protected by Portcullis: run with
    PORTCULLIS_URL=http://127.0.0.1:4000/api/auth /usr/bin/python3 -m uvicorn example.app:app --port 8000
from integrations/fastapi (or with the package installed). PORTCULLIS_JWT=1 also accepts the
server's JSON Web Tokens (its --jwt) as `Authorization: Bearer`, verified here; the other
PORTCULLIS_JWT*/PORTCULLIS_JWKS_* variables set the options of the same names (see README.md).

Scripts call it with an API key (a server started with --api-key; a signed-in user makes the key
with POST /api/auth/api-key/create) in the x-api-key header (PORTCULLIS_API_KEY_HEADER: the
server's --api-key-header, if another):
    curl -H "x-api-key: $PORTCULLIS_API_KEY" http://127.0.0.1:8000/api/me
    curl -H "x-api-key: $PORTCULLIS_API_KEY" http://127.0.0.1:8000/api/session   # "via": "api-key"
"""

import os
from typing import Optional

from fastapi import Depends, FastAPI, HTTPException

from portcullis_fastapi import PortcullisAuth, SessionInfo, User

env = os.environ.get
auth = PortcullisAuth(
    env("PORTCULLIS_URL", "http://127.0.0.1:4000/api/auth"),
    timeout=float(env("PORTCULLIS_TIMEOUT", "2")),
    cache_ttl=float(env("PORTCULLIS_CACHE_TTL", "0")),
    api_key_header=env("PORTCULLIS_API_KEY_HEADER", "x-api-key") or None,  # empty: keys not taken
    jwt=env("PORTCULLIS_JWT", "0").lower() in ("1", "true", "yes"),
    jwt_issuer=env("PORTCULLIS_JWT_ISSUER") or None,  # the server's baseURL, if not base_url's origin
    jwt_audience=env("PORTCULLIS_JWT_AUDIENCE") or None,
    jwt_leeway=float(env("PORTCULLIS_JWT_LEEWAY", "5")),
    jwks_refetch_interval=float(env("PORTCULLIS_JWKS_REFETCH_INTERVAL", "30")),
    jwks_max_age=float(env("PORTCULLIS_JWKS_MAX_AGE", "300")),
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
    if info.session is None:  # a JWT: no session, the token's own expiry
        return {"sessionId": None, "userId": info.user.id, "expiresAt": info.jwt.expires_at, "via": "jwt"}
    if info.via_api_key:  # a program with an API key: the session is the key's (its id and expiry)
        return {"sessionId": None, "apiKeyId": info.api_key_id, "userId": info.user.id, "via": "api-key"}
    return {
        "sessionId": info.session.id,
        "userId": info.user.id,
        "expiresAt": info.session.expires_at,
        "activeOrganizationId": info.session.active_organization_id,
        "via": "session",
    }


@app.get("/api/admin")
async def admin(user: User = Depends(auth.two_factor_user)):
    return {"id": user.id, "twoFactorEnabled": user.two_factor_enabled}


@app.get("/api/staff")
async def staff(user: User = Depends(auth.admin_user), info: SessionInfo = Depends(auth.current_session)):
    # Two dependencies, one question to the server per request (so one use of an API key).
    via = "api-key" if info.via_api_key else "jwt" if info.jwt else "session"
    return {"id": user.id, "roles": list(user.roles), "via": via}


@app.post("/api/account/export")
async def export_account(info: SessionInfo = Depends(auth.current_session)):
    # A route for people only: an API key stands for its owner on every route of this
    # PortcullisAuth (roles included), so a route a key must not reach says so.
    if info.via_api_key:
        raise HTTPException(status_code=403, detail="Not with an API key: sign in")
    return {"id": info.user.id, "email": info.user.email}


@app.get("/api/hello")
async def hello(user: Optional[User] = Depends(auth.optional_user)):
    return {"message": f"Hello, {user.name}!" if user else "Hello, stranger!"}
