"""The statistics pages: the home page and the division pages with year-to-date indicators."""
