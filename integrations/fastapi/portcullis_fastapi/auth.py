"""PortcullisAuth: FastAPI dependencies backed by the server's GET <base_url>/get-session (for a
session cookie, a bearer session token, or an API key: the server's --api-key), and (opt-in,
jwt=True) by JSON Web Tokens from its GET <base_url>/token verified locally."""

import asyncio
import hashlib
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Optional, Tuple
from urllib.parse import urlsplit

import httpx
from fastapi import HTTPException, Request

from .models import Jwt, Session, User, parse

if TYPE_CHECKING:
    from .tokens import JwtVerifier

log = logging.getLogger("portcullis_fastapi")

# The cookies get-session reads (BetterAuth's names after the prefix): nothing else the browser
# holds for the API's domain is forwarded.
_SESSION_COOKIES = ("session_token", "session_data", "dont_remember")

# The codes with which get-session refuses an API key that is not (or no longer) a credential:
# answered 401 here whatever status the server used (BetterAuth answers a key shorter than its
# keys 403 INVALID_API_KEY, Portcullis 401).
_KEY_NOT_VALID = frozenset({"INVALID_API_KEY", "KEY_DISABLED", "KEY_EXPIRED", "INVALID_REFERENCE_ID_FROM_API_KEY"})
# A key as this API passes it on: visible ASCII, and no longer than the server reads (1024 bytes);
# anything else is no key of the server's and is refused without asking.
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,1024}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9_-]+")
# Where one request's answer about its API key is kept (request.scope), so that a route with
# several of these dependencies spends one use of the key, not one per dependency.
_SCOPE_KEY = "portcullis_fastapi.api_key"
_NOT_JSON = object()


class AuthServiceUnavailable(HTTPException):
    """503: the auth server could not answer, so nobody is let in (fail closed)."""

    def __init__(self) -> None:
        super().__init__(status_code=503, detail="Authentication service unavailable")


class NotAuthenticated(HTTPException):
    """401: the request carries no credentials that stand for a user.

    For a session cookie, a session token or a JWT, `code` is None and the answer is as it always
    was ({"detail": "Not signed in"} or the JWT's "Invalid token" / "Token expired"). For an API
    key the server refused, `code` is the server's code (INVALID_API_KEY, KEY_DISABLED,
    KEY_EXPIRED, INVALID_REFERENCE_ID_FROM_API_KEY) and the answer carries it:
    {"detail": {"code": ..., "message": ...}}."""

    def __init__(
        self, detail: Any = "Not signed in", *, code: Optional[str] = None, headers: Optional[Dict[str, str]] = None
    ) -> None:
        super().__init__(status_code=401, detail=detail, headers=headers or {"WWW-Authenticate": "Bearer"})
        self.code = code


class ApiKeyRefused(HTTPException):
    """The server would not let this request with an API key through, though the key may be good:
    403 BANNED_USER (the key's owner is banned), or 429: RATE_LIMITED (the key's rate limit;
    `retry_after` seconds, also sent as Retry-After, and {"detail": {..., "tryAgainIn": ms}}),
    USAGE_EXCEEDED (the key has no uses left), TOO_MANY_REQUESTS (the server's per-client rate
    limit). The answer is {"detail": {"code": ..., "message": ...}}."""

    def __init__(self, status_code: int, code: str, detail: Any, retry_after: Optional[int] = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class SessionInfo:
    """Who is calling. From a session cookie or session token: `session` is the server's session
    and `jwt` is None. From a bearer JWT (jwt=True): there is no session to show (a JWT is not
    one, and the server is not asked), so `session` is None and `jwt` tells the token's details.
    From an API key (the server's --api-key): `via_api_key` is True and `session` is the one the
    server makes up for the key: its `id` is the key's id, its `expires_at` the key's expiry (or a
    session's lifetime from now, for a key that does not expire)."""

    session: Optional[Session]
    user: User
    jwt: Optional[Jwt] = None
    via_api_key: bool = False  # set by this package, which sent the key: not read from the answer

    @property
    def api_key_id(self) -> Optional[str]:
        """The id of the API key the caller used (as /api-key/list shows it), else None."""
        return self.session.id if self.via_api_key and self.session is not None else None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _invalid_jwt(expired: bool) -> HTTPException:
    description = "The token has expired" if expired else "The token is not valid"
    return NotAuthenticated(
        "Token expired" if expired else "Invalid token",
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
    )


def _seconds(value: Optional[str]) -> Optional[int]:
    """A Retry-After (or X-Retry-After) value in seconds, or None when it is not one."""
    if value is None or not value.strip().isdigit():
        return None
    return min(int(value.strip()), 86_400 * 366)


class PortcullisAuth:
    """Asks a Portcullis (or BetterAuth) server who is calling.

    base_url: the auth API, e.g. "http://127.0.0.1:4000/api/auth" (the server's baseURL + basePath).
    timeout: seconds for one get-session call (connect, read, write and pool each); on timeout or
        any failure to get an answer the dependencies raise 503 (fail closed).
    cache_ttl: seconds an answer may be reused for the same credentials; 0 (the default) asks the
        server on every request. With a cache, a session revoked or signed out is still accepted
        by this process for up to cache_ttl seconds (never past the session's own expiry).
    cache_size: most credentials kept in the cache (oldest dropped first).
    cookie_prefix: the server's cookiePrefix; only that prefix's session cookies are forwarded.
    forward_client: send the caller's address and scheme as X-Forwarded-For and
        X-Forwarded-Proto, as a proxy would: the server's per-IP rate limits then count each user
        rather than this API, and a request that reached the API over https reads the https
        (__Secure-) session cookie. The server believes them only when this API's address is in
        its trustedProxies; otherwise the API's calls share one IP's budget and count as plain
        http. Behind nginx, run uvicorn with --proxy-headers so the API sees the real caller.
    client: an httpx.AsyncClient to use instead of the one created here (its base_url is ignored).
    api_key_header: the request header that carries an API key (the server's --api-key-header;
        default "x-api-key"). A request with this header (not empty) is answered from the key
        alone: only the header goes to get-session (no cookie, no Authorization), and the answer
        is never cached (each get-session call counts as one use of the key on the server).
        None: no header is taken for a key (nor forwarded).

    JSON Web Tokens (the server's --jwt), off unless jwt=True:
    jwt: an `Authorization: Bearer` value that is a JWT (three dot-separated parts) is verified
        here with the keys of GET <base_url>/jwks instead of asking get-session: EdDSA only, the
        signature, exp, iat, iss and aud. Such a token stays valid until its exp (15 minutes by
        default) even after sign-out, revocation or a ban: see README.md. Needs PyJWT and
        cryptography. Off, such a header is forwarded to get-session as before (which refuses it).
    jwt_issuer: the iss a token must have: the server's baseURL exactly. Default: the scheme and
        host of base_url, which is the server's baseURL when the API reaches the server at its
        public address and the baseURL has no path; set it otherwise (e.g. the API asks
        http://127.0.0.1:4000/api/auth while the baseURL is https://example.com).
    jwt_audience: the aud a token must have (default: jwt_issuer, as the server signs).
    jwt_leeway: seconds of clock difference allowed on exp and iat (0 to 60; default 5).
    jwks_refetch_interval: at least this many seconds between two fetches of the key set (a token
        with an unknown kid refetches it, but no more often than this; default 30).
    jwks_max_age: seconds the key set is trusted before it is fetched again at the next token
        (so a key removed from the server stops being accepted; default 300).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 2.0,
        cache_ttl: float = 0.0,
        cache_size: int = 10_000,
        cookie_prefix: str = "better-auth",
        forward_client: bool = True,
        client: Optional[httpx.AsyncClient] = None,
        api_key_header: Optional[str] = "x-api-key",
        jwt: bool = False,
        jwt_issuer: Optional[str] = None,
        jwt_audience: Optional[str] = None,
        jwt_leeway: float = 5.0,
        jwks_refetch_interval: float = 30.0,
        jwks_max_age: float = 300.0,
    ) -> None:
        if cache_ttl < 0:
            raise ValueError("cache_ttl must be >= 0")
        if not 0 <= jwt_leeway <= 60:
            raise ValueError("jwt_leeway must be between 0 and 60 seconds")
        if jwks_refetch_interval < 0 or jwks_max_age <= 0:
            raise ValueError("jwks_refetch_interval must be >= 0 and jwks_max_age > 0")
        if api_key_header is not None and (
            not _HEADER_NAME.fullmatch(api_key_header)
            or api_key_header.lower() in ("cookie", "authorization", "host", "user-agent", "accept")
            or api_key_header.lower().startswith("x-forwarded-")
        ):
            raise ValueError("api_key_header must be a header name (letters, digits, - and _) of its own")
        self._api_key_header = api_key_header.lower() if api_key_header is not None else None
        api_url = base_url.rstrip("/")
        self._url = api_url + "/get-session"
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )
        self._own_client = client is None
        self._cache_ttl = cache_ttl
        self._cache_size = cache_size
        self._cache: "OrderedDict[bytes, tuple[float, SessionInfo]]" = OrderedDict()
        self._cookie_names = frozenset(
            name
            for base in _SESSION_COOKIES
            for name in (f"{cookie_prefix}.{base}", f"__Secure-{cookie_prefix}.{base}")
        )
        self._forward_client = forward_client
        self._jwt: Optional["JwtVerifier"] = None
        if jwt:
            from .tokens import JwtVerifier  # PyJWT and cryptography: needed only here

            issuer = jwt_issuer if jwt_issuer is not None else _origin(api_url)
            self._jwt = JwtVerifier(
                self._client,
                api_url + "/jwks",
                issuer=issuer,
                audience=jwt_audience if jwt_audience is not None else issuer,
                leeway=jwt_leeway,
                refetch_interval=jwks_refetch_interval,
                max_age=jwks_max_age,
            )

    # --- FastAPI dependencies -------------------------------------------------------------------

    async def current_session(self, request: Request) -> SessionInfo:
        """The caller's session and user (session None for a JWT); 401 without a valid session,
        JWT or API key, 503 if the server is down (for a JWT: if its keys cannot be had). For an
        API key also 403 (its owner is banned) and 429 (its rate limit or uses; see ApiKeyRefused)."""
        info, refused = await self._resolve(request)
        if refused is not None:
            raise refused
        if info is None:
            raise NotAuthenticated()
        return info

    async def current_user(self, request: Request) -> User:
        """The caller's user; 401 without a valid session, 503 if the server is down."""
        return (await self.current_session(request)).user

    async def two_factor_user(self, request: Request) -> User:
        """The caller's user, who must have turned two-step verification on (the server's
        --two-factor); 401 without a valid session, 403 when it is off, 503 if the server is
        down. For routes that should not open to a password alone."""
        user = await self.current_user(request)
        if not user.two_factor_enabled:
            raise HTTPException(status_code=403, detail="Two-step verification required")
        return user

    def require_role(self, role: str) -> Callable[[Request], Awaitable[User]]:
        """A dependency: the caller's user, whose roles (the server's --admin, BetterAuth's admin
        plugin's "role") include `role`; 401 without a valid session, 403 without the role, 503
        if the server is down. A role given or taken away shows within the cache's TTL (and, for
        a JWT, once a new token is issued). Users made administrators by the server's
        --admin-user-ids have no such role: give them the role too if the API must see it."""

        async def dependency(request: Request) -> User:
            user = await self.current_user(request)
            if role not in user.roles:
                raise HTTPException(status_code=403, detail=f"The role {role!r} is required")
            return user

        return dependency

    async def admin_user(self, request: Request) -> User:
        """require_role("admin"): the caller's user, an administrator."""
        return await self.require_role("admin")(request)

    async def optional_user(self, request: Request) -> Optional[User]:
        """The caller's user, or None without a valid session, JWT or API key (a refused key, its
        owner banned included, is a stranger too); 503 if the server is down, 429 when the key
        is over its rate limit or out of uses (the server would not say whose it is)."""
        info = await self.lookup(request)
        return info.user if info else None

    # --- the lookup -----------------------------------------------------------------------------

    async def lookup(self, request: Request) -> Optional[SessionInfo]:
        """Asks the server about the request's credentials (its session cookies and/or an
        `Authorization: Bearer` header). Returns None when there are none or they are not a valid
        session. Raises AuthServiceUnavailable when the server cannot be reached, times out, or
        answers anything but 200 with a session or null.

        With jwt=True, a bearer JWT is verified here instead, and alone (the request's cookies
        are not looked at): None when it is not valid; AuthServiceUnavailable when its key is
        not held and the key set cannot be fetched.

        A request with an API key (the api_key_header) is answered from the key alone (before
        any JWT): None when the server refuses it (unknown, disabled, expired, its owner gone or
        banned); ApiKeyRefused (429) when it is over its rate limit or out of uses."""
        return (await self._resolve(request))[0]

    async def _resolve(self, request: Request) -> Tuple[Optional[SessionInfo], Optional[HTTPException]]:
        """lookup(), and for a refused JWT or API key the error to answer with."""
        if self._api_key_header is not None:
            key = request.headers.get(self._api_key_header, "")
            if key:  # an empty header is no key (the server reads it so too)
                return await self._with_api_key(request, key)
        if self._jwt is not None:
            authorization = request.headers.get("authorization", "")
            if authorization[:7].lower() == "bearer ":
                token = authorization[7:].strip()
                # Three dot-separated parts: a JWT. A session token has no dot, the signed
                # cookie value (what get-session's bearer support takes) one: those go on as before.
                if token.count(".") == 2:
                    return await self._verify_jwt(token)
        return await self._ask_server(request), None

    async def _verify_jwt(self, token: str) -> Tuple[Optional[SessionInfo], Optional[HTTPException]]:
        from .tokens import InvalidJwt, KeysUnavailable

        assert self._jwt is not None
        try:
            user, details = await self._jwt.verify(token)
        except InvalidJwt as error:
            log.debug("JWT refused: %s", error.reason)
            return None, _invalid_jwt(error.expired)
        except KeysUnavailable:
            raise AuthServiceUnavailable() from None
        return SessionInfo(session=None, user=user, jwt=details), None

    def _caller_headers(self, request: Request, headers: Dict[str, str]) -> None:
        """Adds who the caller is (address, scheme, user agent) to a get-session request."""
        if self._forward_client:
            if request.client and request.client.host:
                headers["x-forwarded-for"] = request.client.host
            headers["x-forwarded-proto"] = request.url.scheme
        user_agent = request.headers.get("user-agent")
        if user_agent:
            headers["user-agent"] = user_agent

    async def _with_api_key(
        self, request: Request, key: str
    ) -> Tuple[Optional[SessionInfo], Optional[HTTPException]]:
        """The answer about the request's API key: asked once per request (the server counts
        every get-session call against the key's limits), then kept in request.scope for the
        route's other dependencies (of any PortcullisAuth asking the same server). Never cached
        across requests."""
        answers = request.scope.setdefault(_SCOPE_KEY, {})
        asked = (self._url, self._api_key_header)  # another PortcullisAuth of the same server too
        outcome = answers.get(asked)
        if outcome is None:
            try:
                outcome = await self._ask_about_key(request, key)
            except HTTPException as error:  # 429 or 503: raised again to the next dependency
                outcome = error
            answers[asked] = outcome
        if isinstance(outcome, HTTPException):
            raise outcome
        return outcome

    async def _ask_about_key(
        self, request: Request, key: str
    ) -> Tuple[Optional[SessionInfo], Optional[HTTPException]]:
        # The key itself is never logged, nor put in an error: only the server's codes are.
        assert self._api_key_header is not None
        if not _KEY_SHAPE.fullmatch(key):
            log.debug("API key refused here: not a key's characters or length")
            return None, self._key_not_valid("INVALID_API_KEY", "Invalid API key.")
        headers = {"accept": "application/json", self._api_key_header: key}
        self._caller_headers(request, headers)
        try:
            response = await self._client.get(self._url, headers=headers)
        except (httpx.HTTPError, OSError, asyncio.TimeoutError) as error:
            log.warning("get-session (API key) failed: %s", type(error).__name__)
            raise AuthServiceUnavailable() from None
        try:
            body = response.json()
        except Exception:  # not JSON: no session, and no code either
            body = _NOT_JSON
        if response.status_code == 200:
            if body is None:
                # The server answered as for a request without credentials: it takes no keys
                # (no --api-key, or --api-key-sessions false) or reads them from another header.
                log.warning(
                    "get-session ignored the API key in %r: is the server's --api-key on, and its "
                    "--api-key-header the same as api_key_header?",
                    self._api_key_header,
                )
                raise AuthServiceUnavailable()
            try:
                info = SessionInfo(
                    session=parse(Session, body["session"]), user=parse(User, body["user"]), via_api_key=True
                )
            except Exception:
                log.warning("get-session (API key) answered something that is not a session")
                raise AuthServiceUnavailable() from None
            return info, None
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not code or len(code) > 100:
            log.warning("get-session (API key) answered HTTP %d", response.status_code)
            raise AuthServiceUnavailable()
        message = body.get("message")
        if not isinstance(message, str) or len(message) > 500:
            message = code
        if code in _KEY_NOT_VALID or response.status_code == 401:
            log.debug("API key refused: %s", code)
            return None, self._key_not_valid(code, message)
        if response.status_code == 403:
            log.info("API key refused: %s", code)
            return None, ApiKeyRefused(403, code, {"code": code, "message": message})
        if response.status_code == 429:
            detail: Dict[str, Any] = {"code": code, "message": message}
            details = body.get("details")
            try_again_in = details.get("tryAgainIn") if isinstance(details, dict) else None
            if isinstance(try_again_in, int) and not isinstance(try_again_in, bool) and try_again_in >= 0:
                detail["tryAgainIn"] = try_again_in
            # Retry-After from the key's rate limit, X-Retry-After from the server's per-client one.
            retry_after = _seconds(response.headers.get("retry-after"))
            if retry_after is None:
                retry_after = _seconds(response.headers.get("x-retry-after"))
            if retry_after is None and "tryAgainIn" in detail:
                retry_after = -(-detail["tryAgainIn"] // 1000)
            log.info("API key refused: %s", code)
            raise ApiKeyRefused(429, code, detail, retry_after)
        log.warning("get-session (API key) answered HTTP %d %s", response.status_code, code)
        raise AuthServiceUnavailable()

    def _key_not_valid(self, code: str, message: str) -> NotAuthenticated:
        return NotAuthenticated(
            {"code": code, "message": message},
            code=code,
            headers={"WWW-Authenticate": f'ApiKey header="{self._api_key_header}"'},
        )

    async def _ask_server(self, request: Request) -> Optional[SessionInfo]:
        headers = {"accept": "application/json"}
        cookies = "; ".join(
            f"{name}={value}" for name, value in request.cookies.items() if name in self._cookie_names
        )
        if cookies:
            headers["cookie"] = cookies
        authorization = request.headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            headers["authorization"] = authorization
        if len(headers) == 1:
            return None  # nothing to ask about

        key = hashlib.sha256(
            f"{headers.get('cookie', '')}\n{headers.get('authorization', '')}".encode()
        ).digest()
        cached = self._cached(key)
        if cached is not None:
            return cached

        self._caller_headers(request, headers)
        try:
            response = await self._client.get(self._url, headers=headers)
        except (httpx.HTTPError, OSError, asyncio.TimeoutError) as error:
            log.warning("get-session failed: %s", type(error).__name__)
            raise AuthServiceUnavailable() from None
        if response.status_code != 200:
            log.warning("get-session answered HTTP %d", response.status_code)
            raise AuthServiceUnavailable()
        try:
            body = response.json()
            if body is None:
                return None
            info = SessionInfo(session=parse(Session, body["session"]), user=parse(User, body["user"]))
        except Exception:  # not JSON, or not the shape of a session: the server is not answering
            log.warning("get-session answered something that is not a session")
            raise AuthServiceUnavailable() from None
        self._remember(key, info)
        return info

    def _cached(self, key: bytes) -> Optional[SessionInfo]:
        if not self._cache_ttl:
            return None
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._cache.pop(key, None)
            return None
        return entry[1]

    def _remember(self, key: bytes, info: SessionInfo) -> None:
        if not self._cache_ttl:
            return
        expires = time.monotonic() + self._cache_ttl
        if info.session is not None:  # always, for get-session's answers
            until_expiry = info.session.expires_at.timestamp() - time.time()
            expires = min(expires, time.monotonic() + max(0.0, until_expiry))
        self._cache[key] = (expires, info)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def clear_cache(self) -> None:
        """Forgets every cached get-session answer (e.g. after this API itself revoked a
        session). The JWT key set is not an answer about anyone and is kept."""
        self._cache.clear()

    async def aclose(self) -> None:
        """Closes the HTTP client created here (call it when the app shuts down)."""
        if self._own_client:
            await self._client.aclose()
