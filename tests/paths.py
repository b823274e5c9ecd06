"""Where the shared examples live: ``../shared`` beside the repository (as in CI), or
``FIELD_APP_SHARED``."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FIELD_APP_SHARED", ROOT.parent / "shared"))
EXAMPLES = SHARED / "examples"
