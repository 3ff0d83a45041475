"""Small utilities shared by the reference system (import from the submodules)."""
