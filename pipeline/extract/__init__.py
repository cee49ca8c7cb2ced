"""Extraction: raw documents to text. The only code that spawns tesseract or poppler lives here."""
