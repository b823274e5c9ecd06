"""The reporting chain (逐级审核上报): the report calendar, submissions frozen at the moment
they are made, sign-off, approval or return by the level above, corrections as new
versions, and the period locks a submission sets (``field_app.locks``)."""
