"""Who is calling: the API key in `Authorization: Bearer`, its scope, and its rate limit.

A learner key acts only for its learner (403 for anyone else's data); a client key acts for any
learner it names.  With `api.require_keys` off (a single-user machine) a request without a key is
the local client.  The token `tutor serve` writes to its data dir (`tutor.api.discovery`) acts as a
client key for requests from this host only: the CLI of the user who runs the server.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tutor.api.discovery import TOKEN_PREFIX
from tutor.api.keys import KeyStore
from tutor.api.limits import RateLimiter

__all__ = ["Caller", "Principal", "caller", "learner_for"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_bearer = HTTPBearer(auto_error=False, description="An API key from `tutor keys create`.")


@dataclass(frozen=True)
class Principal:
    key_id: str
    learner: str | None  # None: a client key (any learner)

    def may_act_for(self, learner: str) -> bool:
        return self.learner is None or self.learner == learner


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _local_token(request: Request, presented: str) -> bool:
    """The token `tutor serve` wrote to its data dir's serve.json (mode 0600), presented from this host.

    It acts as a client key for the CLI of the user who runs the server; from another host it is
    refused like any unknown key, so a wildcard bind does not widen who may use it."""
    token: str | None = getattr(request.app.state, "local_token", None)
    if not token or not presented.startswith(TOKEN_PREFIX):
        return False
    if request.client is None or request.client.host not in _LOOPBACK:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), token.encode("utf-8"))


def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The authenticated caller, after its rate limit; 401 without a valid key, 429 over the limit."""
    state = request.app.state
    if credentials is None:
        if state.settings.api.require_keys:
            raise _unauthorized("missing API key: send `Authorization: Bearer <key>` (`tutor keys create`)")
        principal = Principal("local", None)
    elif _local_token(request, credentials.credentials):
        principal = Principal("local-cli", None)
    else:
        keys: KeyStore = state.keys
        key = keys.verify(credentials.credentials)
        if key is None:
            raise _unauthorized("invalid or revoked API key")
        principal = Principal(key.id, key.learner)
    limiter: RateLimiter = state.limiter
    wait = limiter.hit(principal.key_id)
    if wait:
        raise HTTPException(
            429,
            f"rate limit {limiter.spec} reached for this key; retry in {wait:.0f} s",
            headers={"Retry-After": str(int(wait))},
        )
    return principal


Caller = Annotated[Principal, Depends(caller)]


def learner_for(principal: Principal, requested: str | None) -> str | None:
    """The learner a request acts for: the key's own by default; 403 for another learner's id."""
    if requested is None:
        return principal.learner
    if not principal.may_act_for(requested):
        raise HTTPException(403, "this API key belongs to another learner; it can only use its own data")
    return requested
