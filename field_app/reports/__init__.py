"""Signed PDF statistics: the official tables, the village roster, and their verification."""
