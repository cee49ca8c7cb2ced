"""Storage: the SQL schema, the file store of originals, and the functions that write items."""
