"""Staff authentication: argon2 password hashes, signed bearer tokens, and the middleware that
puts the signed-in Staff on each request (route guards are in zhucan.http.guards)."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from zhucan.access import ROLE_LABELS, Staff
from zhucan.canteens.queries import canteen_codes
from zhucan.clock import now_utc
from zhucan.errors import NotAuthenticated
from zhucan.people import queries

TOKEN_ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed. Without a hash (no such account) the same work is
    done against a stand-in, so that an unknown username takes as long to refuse as a wrong
    password and sign-in timing does not tell which usernames exist."""
    try:
        return _hasher.verify(password_hash or _stand_in_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _stand_in_hash() -> str:
    # Made on first use, with the hasher's cost settings of that moment.
    return _hasher.hash(secrets.token_urlsafe(16))


def issue_token(staff: Staff, secret_key: str, ttl_seconds: int) -> str:
    issued = now_utc()
    claims = {
        "sub": staff.username,
        "uid": staff.id,
        "role": staff.role,
        "canteen": staff.canteen_code,
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl_seconds),
    }
    return jwt.encode(claims, secret_key, algorithm=TOKEN_ALGORITHM)


def read_token(token: str, secret_key: str) -> Staff:
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "sub", "role", "uid"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("登录令牌已过期，请重新登录") from None
    except jwt.InvalidTokenError:
        raise NotAuthenticated("登录令牌无效，请重新登录") from None
    if claims["role"] not in ROLE_LABELS:
        raise NotAuthenticated("登录令牌无效，请重新登录")
    return Staff(
        id=claims["uid"],
        username=claims["sub"],
        role=claims["role"],
        canteen_code=claims.get("canteen"),
    )


async def account_of(claimed: Staff) -> Staff:
    """The staff member behind a valid token, as the account is now: a disabled or deleted
    account is refused at once rather than when its tokens expire, and a changed role or
    canteen applies to the next request."""
    row = await queries.account(claimed.id)
    if row is None or row["username"] != claimed.username:
        raise NotAuthenticated("登录令牌对应的账号已不存在，请重新登录")
    if not row["active"]:
        raise NotAuthenticated("该账号已停用，请联系管理员")
    if row["role"] not in ROLE_LABELS:  # written by hand into the table, not by zhucan
        raise NotAuthenticated("该账号的角色无效，请联系管理员")
    canteen_code = (
        (await canteen_codes([row["canteen"]]))[row["canteen"]] if row["canteen"] else None
    )
    return Staff(
        id=claimed.id, username=row["username"], role=row["role"], canteen_code=canteen_code
    )


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the Staff of a valid bearer token, or None without one."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if not header:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Authorization 头必须是 “Bearer <令牌>”")
        secret = connection.app.state.settings.secret_key
        staff = await account_of(read_token(token.strip(), secret))
        return AuthenticationResult(user=staff, auth=token)
