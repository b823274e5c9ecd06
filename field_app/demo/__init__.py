"""Demo data: a made-up but plausible Hinggan League (兴安盟) data set in the interchange
format, loaded with ``flask load-demo``."""
from field_app.demo.generator import DEFAULT_HOUSEHOLDS_PER_VILLAGE, generate_demo

__all__ = ["DEFAULT_HOUSEHOLDS_PER_VILLAGE", "generate_demo"]
