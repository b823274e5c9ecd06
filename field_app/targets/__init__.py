"""Reported figures for the ±5% reconciliation, and annual targets (年度目标任务)."""
