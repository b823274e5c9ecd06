"""Data-quality rules (数据质量规则), the scan before each report, and stored findings."""
