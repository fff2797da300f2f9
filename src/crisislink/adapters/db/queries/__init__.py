"""The read side: typed views straight from SQL, always filtered by the compiled sharing policy."""
