"""The subsidy policy in force: kitchens/policy.toml, the versions stored by PUT /subsidies/policy,
and this process's cache of them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from zhucan.audit import service as audit
from zhucan.data_files import read_toml, validate
from zhucan.db.engine import current_engine
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict
from zhucan.settings import PROJECT_ROOT
from zhucan.subsidies import queries, rules
from zhucan.subsidies.schemas import SubsidyPolicy

POLICY_FILE = PROJECT_ROOT / "kitchens" / "policy.toml"


@functools.cache
def default_policy() -> SubsidyPolicy:
    return validate(POLICY_FILE, SubsidyPolicy, read_toml(POLICY_FILE))


@dataclass
class _Cache:
    """The versions in force as this process last read them, and the stamp of the newest stored
    version they were read at."""

    stamp: tuple | None = None
    versions: list[SubsidyPolicy] = field(default_factory=list)


_cache = _Cache()


def forget_versions() -> None:
    """Drop this process's cached versions (tests that switch databases or write versions
    behind the cache's back)."""
    _cache.stamp, _cache.versions = None, []


async def policy_versions() -> list[SubsidyPolicy]:
    """The versions in force by effective date: kitchens/policy.toml first, then those stored by
    PUT /subsidies/policy.

    Cached per process; another worker may have stored a version since, so every call reads the
    newest row's id and time and re-reads only on a change.
    """
    newest = await queries.newest_policy_version()
    # The engine is part of the stamp: a test run switches databases whose ids start over.
    stamp = (id(current_engine()), newest["id"], newest["created_at"]) if newest else None
    if stamp != _cache.stamp or not _cache.versions:
        stored = [
            SubsidyPolicy.model_validate_json(body) for body in await queries.stored_policies()
        ]
        _cache.stamp = stamp
        _cache.versions = rules.effective_versions([default_policy(), *stored])
    return _cache.versions


async def policy_in_force(day: date) -> SubsidyPolicy:
    """The policy for orders on `day` (orders store their split, so a later change never
    touches them)."""
    return rules.policy_on(await policy_versions(), day)


async def put_policy(data: SubsidyPolicy, today: date, actor: str) -> SubsidyPolicy:
    async def work() -> SubsidyPolicy:
        refusal = rules.policy_change_problem(await policy_versions(), data.effective_from, today)
        if refusal is not None:
            status, detail = refusal
            raise (BadInput if status == 400 else Conflict)(detail, field="effective_from")
        await queries.store_policy(data.effective_from, data.model_dump_json(), actor)
        await audit.record(
            actor,
            "policy.update",
            f"policy:{data.effective_from}",
            {"effective_from": data.effective_from},
        )
        return data

    return await write_transaction(work)
