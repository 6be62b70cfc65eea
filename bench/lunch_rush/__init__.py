"""The lunch-rush benchmark: the service under a realistic noon mix, next to the ceiling of its
own SQL replayed straight on the database. `python -m bench.lunch_rush --help`."""
