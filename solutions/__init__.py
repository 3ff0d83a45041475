"""Reference solutions, with the same module names and public API as the stubs in weeks/."""
