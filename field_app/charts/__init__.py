"""SVG charts and maps for the pages and the PDFs, drawn by matplotlib.

Nothing here reads the database or Flask: callers hand in plain values and get SVG markup back.
"""
