"""Small data-access functions that take a session; one module per concern."""
