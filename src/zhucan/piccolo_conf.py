"""Piccolo's configuration module (PICCOLO_CONF=zhucan.piccolo_conf).

`DB` is resolved lazily from ZHUCAN_DATABASE_URL, and replaced by `zhucan.db.engine.bind` when the
app or a test chooses an engine. Developers use it for `piccolo migrations new APP --auto`.
"""

import os

from zhucan.db.apps import registry

APP_REGISTRY = registry()


def __getattr__(name: str):
    if name == "DB":
        from zhucan.db.engine import make_engine
        from zhucan.settings import DEFAULT_DATABASE_URL

        engine = make_engine(os.environ.get("ZHUCAN_DATABASE_URL") or DEFAULT_DATABASE_URL)
        globals()["DB"] = engine
        return engine
    raise AttributeError(name)
