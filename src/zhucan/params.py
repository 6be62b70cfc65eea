"""Parameter types shared by every domain's controllers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

# A database row id in a path (/orders/{order_id}): ids are PostgreSQL `integer` (int4) columns,
# so a larger number cannot name anything; refusing it here makes it a 400 that the OpenAPI
# document states, instead of a database error.
DbId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
