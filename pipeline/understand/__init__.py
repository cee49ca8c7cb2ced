"""Understanding: places (communes) and urgency, read from the text with spaCy and the gazetteer."""
