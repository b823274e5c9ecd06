"""Monthly frozen snapshots (固化备份): a restorable backup of the whole database, a database-independent copy, and a manifest chained to the previous snapshot."""
