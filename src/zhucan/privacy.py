"""Keeps full 身份证号 and phone numbers out of logs and audit details.

`redact(text)` masks every id-number-like and phone-like digit run the way the API shows them
(`**************1234`, `138****1234`). `install_log_redaction()` applies it to every log record the
process creates — the app's, Litestar's, uvicorn's access log — at creation time, so that no
handler added later (a file handler, pytest's caplog, a log shipper) ever sees the full numbers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Full-width digits count too: people type them on Chinese keyboards and int() accepts them.
_D = "[0-9０-９]"
_PATTERNS = [
    # 居民身份证号: 17 digits and a digit or X, not inside a longer run (card numbers are 12 digits).
    (
        re.compile(rf"(?<![0-9０-９]){_D}{{14}}({_D}{{3}}[0-9０-９Xx])(?![0-9０-９])"),
        lambda m: "*" * 14 + m.group(1),
    ),
    # Mobile numbers, also written 138-1234-5678 or 138 1234 5678.
    (
        re.compile(
            rf"(?<![0-9０-９])([1１][3-9３-９]{_D})[- ]?{_D}{{4}}[- ]?({_D}{{4}})(?![0-9０-９])"
        ),
        lambda m: f"{m.group(1)}****{m.group(2)}",
    ),
    # Landlines with area code (0571-88881234, 01088881234): 10–12 digits, as validate_phone takes.
    (
        re.compile(rf"(?<![0-9０-９])[0０]{_D}{{2,3}}[- ]?{_D}{{3,4}}({_D}{{4}})(?![0-9０-９])"),
        lambda m: "*" * (len(m.group(0)) - 4) + m.group(1),
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """`redact` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def _redact_record(record: logging.LogRecord) -> None:
    args = record.args
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        # A malformed logging call: logging reports it at emit time, showing msg and args.
        record.msg = redact(str(record.msg))
        if isinstance(args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return
    clean = redact(message)
    if clean != message:
        if isinstance(args, tuple):
            # Keep the args shape where possible: uvicorn's access formatter unpacks record.args.
            record.msg = redact(str(record.msg))
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        if record.getMessage() != clean:
            record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Wrap the process's log record factory once; later calls change nothing."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "zhucan_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    factory.zhucan_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
