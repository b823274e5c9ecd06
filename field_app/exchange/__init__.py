"""The interchange data-set format (``shared/spec/interchange.md``): import and export."""
