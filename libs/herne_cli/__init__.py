"""The `herne-mobility` command line."""
