"""What every domain's controllers share: guards, problem details, idempotency, and the clock,
settings and client address as Litestar dependencies."""
