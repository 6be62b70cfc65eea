"""Database layer: engine choice, the one write-transaction helper, migrations."""
