"""Paths, fixed seed and the recipient blocks shared by every generator."""
from __future__ import annotations

from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
TESTS = ROOT / "tests" / "data"
SEED = 20250312
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/truetype/dejavu"))

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in PDF points

GBM = ["Grand Besançon Métropole", "4 rue Gabriel Plançon", "25000 Besançon"]
GBM_CEDEX = ["Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"]
GBM_MAIL = "courrier@grandbesancon.fr"
CLOSING = "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."
