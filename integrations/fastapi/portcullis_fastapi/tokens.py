"""Local verification of the server's JSON Web Tokens (its --jwt: BetterAuth's jwt plugin).

A token from GET <base_url>/token is checked here with the keys of GET <base_url>/jwks, without
asking the server about the request: EdDSA (Ed25519) only, the signature, exp (with a small
leeway), iat, iss and aud. Needs PyJWT and cryptography (Debian: python3-jwt python3-cryptography);
imported only when PortcullisAuth(jwt=True).
"""

import asyncio
import logging
import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple

import httpx
import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .models import Jwt, User, parse

log = logging.getLogger("portcullis_fastapi")

ALGORITHM = "EdDSA"  # the only one accepted: never "none", HS*, RS*, ...
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]


class InvalidJwt(Exception):
    """The bearer JWT is not one to accept (the caller gets 401). `expired` tells why, for the
    response; `reason` is for the log only."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


class KeysUnavailable(Exception):
    """The key set could not be fetched, and the token's key is not among the keys already held
    (the caller gets 503, as when get-session cannot be asked)."""


class KeySet:
    """The server's public keys by kid, fetched from GET <base_url>/jwks and kept.

    Fetched at the first token, then again only (a) when a token names a kid not in the set, or
    (b) when the set is older than max_age (so a key removed from the server stops being trusted);
    and never more than once per refetch_interval seconds whatever the tokens say (a made-up kid
    cannot make this process hammer the server), nor by more than one request at a time. If a
    refetch fails, the keys already held stay in use.
    """

    def __init__(self, client: httpx.AsyncClient, url: str, *, refetch_interval: float, max_age: float) -> None:
        self._client = client
        self._url = url
        self._refetch_interval = refetch_interval
        self._max_age = max_age
        self._keys: Dict[str, Ed25519PublicKey] = {}
        self._fetched_at: Optional[float] = None  # time.monotonic() of the last good fetch
        self._tried_at: Optional[float] = None  # ... of the last attempt, good or not
        self._failed = False  # the last attempt failed
        self._lock: Optional[asyncio.Lock] = None  # made in the event loop (Python 3.9)

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._max_age

    async def get(self, kid: str) -> Optional[Ed25519PublicKey]:
        """The key named kid, or None if the server does not publish it. Raises KeysUnavailable
        when the set cannot be had and kid is not in what is held."""
        asked = time.monotonic()
        key = self._keys.get(kid)
        if key is not None and self._fresh(asked):
            return key
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = time.monotonic()
            if self._fresh(now) and kid in self._keys:
                return self._keys[kid]  # fetched while this request waited
            if self._tried_at is not None and (
                self._tried_at >= asked or now - self._tried_at < self._refetch_interval
            ):
                # Tried while this request waited, or too recently to try again.
                if self._failed and kid not in self._keys:
                    raise KeysUnavailable()
                return self._keys.get(kid)
            self._tried_at = now
            try:
                keys = await self._fetch()
            except KeysUnavailable:
                self._failed = True
                if kid in self._keys:
                    return self._keys[kid]  # keep trusting the keys already held
                raise
            self._keys = keys
            self._fetched_at = time.monotonic()
            self._failed = False
            return keys.get(kid)

    async def _fetch(self) -> Dict[str, Ed25519PublicKey]:
        try:
            response = await self._client.get(self._url, headers={"accept": "application/json"})
        except (httpx.HTTPError, OSError, asyncio.TimeoutError) as error:
            log.warning("jwks failed: %s", type(error).__name__)
            raise KeysUnavailable() from None
        if response.status_code != 200:
            # 404: the server runs without --jwt.
            log.warning("jwks answered HTTP %d", response.status_code)
            raise KeysUnavailable()
        try:
            entries = response.json()["keys"]
            if not isinstance(entries, list):
                raise TypeError("keys is not a list")
        except Exception:
            log.warning("jwks answered something that is not a key set")
            raise KeysUnavailable() from None
        keys: Dict[str, Ed25519PublicKey] = {}
        for entry in entries:
            # Only Ed25519 public keys for EdDSA; anything else in the set is never used.
            if not (
                isinstance(entry, dict)
                and entry.get("kty") == "OKP"
                and entry.get("crv") == "Ed25519"
                and entry.get("alg", ALGORITHM) == ALGORITHM
                and isinstance(entry.get("kid"), str)
                and entry["kid"]
                and "d" not in entry
            ):
                continue
            try:
                key = pyjwt.PyJWK(entry, algorithm=ALGORITHM).key
            except Exception:
                continue
            if isinstance(key, Ed25519PublicKey):
                keys[entry["kid"]] = key
        log.info("jwks: %d key(s)", len(keys))
        return keys


class JwtVerifier:
    """Verifies a bearer JWT locally and maps its claims to the User get-session would give."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        leeway: float,
        refetch_interval: float,
        max_age: float,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.keys = KeySet(client, jwks_url, refetch_interval=refetch_interval, max_age=max_age)

    async def verify(self, token: str) -> Tuple[User, Jwt]:
        """The token's user and details; raises InvalidJwt (401) or KeysUnavailable (503)."""
        try:
            header = pyjwt.get_unverified_header(token)
        except Exception:
            raise InvalidJwt("not a JWT") from None
        # Checked before any key is looked up, so that a forged header costs nothing.
        if header.get("alg") != ALGORITHM:
            raise InvalidJwt(f"alg {header.get('alg')!r} is not {ALGORITHM}")
        if "crit" in header or "b64" in header:
            raise InvalidJwt("unsupported header parameters")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidJwt("no kid")
        key = await self.keys.get(kid)
        if key is None:
            raise InvalidJwt("unknown kid")
        try:
            claims: Dict[str, Any] = pyjwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except pyjwt.ExpiredSignatureError:
            raise InvalidJwt("expired", expired=True) from None
        except (pyjwt.InvalidIssuerError, pyjwt.InvalidAudienceError) as error:
            # The signature is good (PyJWT checks it first): most likely this API is configured
            # with another issuer than the server's baseURL. Say what the token says.
            try:
                signed = pyjwt.decode(token, key, algorithms=[ALGORITHM], options={"verify_exp": False, "verify_aud": False})
                said = f"iss {signed.get('iss')!r}, aud {signed.get('aud')!r}"
            except Exception:
                said = "?"
            log.warning(
                "JWT refused: %s (token: %s; expected iss %r, aud %r: set jwt_issuer / jwt_audience to "
                "the server's baseURL)",
                error,
                said,
                self.issuer,
                self.audience,
            )
            raise InvalidJwt(str(error)) from None
        except pyjwt.InvalidTokenError as error:
            raise InvalidJwt(str(error)) from None
        except Exception as error:  # e.g. a claim of the wrong type that PyJWT trips over
            raise InvalidJwt(f"bad claims: {type(error).__name__}") from None

        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or claims.get("id", sub) != sub:
            raise InvalidJwt("sub is not the user's id")
        try:
            user = parse(User, {**claims, "id": sub})
            issued_at = datetime.fromtimestamp(float(claims["iat"]), timezone.utc)
            expires_at = datetime.fromtimestamp(float(claims["exp"]), timezone.utc)
        except Exception:
            # Signed by the server's key, but not the user claims /token puts in (e.g. a token
            # BetterAuth's signJWT made with a payload of its own).
            log.warning("JWT refused: its claims are not a user")
            raise InvalidJwt("claims are not a user") from None
        return user, Jwt(key_id=kid, issued_at=issued_at, expires_at=expires_at, claims=claims)
