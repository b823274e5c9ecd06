"""Period locks (期间锁定): what has been reported must not change silently afterwards.

A lock holds a division's data up to the end of a reported period. Every ORM write to a
dated record is checked by a session hook (``checks.install``); bulk paths that bypass the
ORM (the interchange importer) check their rows set-based before writing (``checks``).
"""
