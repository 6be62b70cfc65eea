"""Staff authentication: argon2 password hashes, signed bearer tokens, role guards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from zhucan.clock import now_utc
from zhucan.db import sql
from zhucan.errors import Forbidden, NotAuthenticated

TOKEN_ALGORITHM = "HS256"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as the token says."""

    id: int
    username: str
    role: str
    canteen_code: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
    row = await sql.fetchrow(
        "SELECT s.username, s.role, s.active, c.code AS canteen_code FROM staff_user s"
        " LEFT JOIN canteen c ON c.id = s.canteen WHERE s.id = $1",
        claimed.id,
    )
    if row is None or row["username"] != claimed.username:
        raise NotAuthenticated("登录令牌对应的账号已不存在，请重新登录")
    if not row["active"]:
        raise NotAuthenticated("该账号已停用，请联系管理员")
    return Staff(
        id=claimed.id, username=row["username"], role=row["role"], canteen_code=row["canteen_code"]
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


ROLE_NAMES = {
    "admin": "管理员",
    "operator": "12349 热线话务员",
    "volunteer": "志愿者",
    "family": "家属",
    "canteen_staff": "食堂工作人员",
    "inspector": "市场监管检查员",
}


def signed_in(connection: ASGIConnection) -> Staff:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthenticated("需要登录：请在 Authorization 头中提供 Bearer 令牌")
    return user


def requires(*roles: str):
    """A guard allowing only staff with one of `roles`."""

    allowed = "、".join(ROLE_NAMES[r] for r in roles)

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        # A coroutine: Litestar runs a plain-function guard in a worker thread on every call.
        staff = signed_in(connection)
        if staff.role not in roles:
            raise Forbidden(
                f"此操作仅限{allowed}，当前账号是{ROLE_NAMES.get(staff.role, staff.role)}"
            )

    guard.__name__ = f"requires_{'_'.join(roles)}"
    return guard


def current_staff(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff | None:
    return connection.scope.get("user")
