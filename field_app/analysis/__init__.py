"""The quarterly analysis (季分析): written on the web, generated as a PDF, submitted upward."""
