"""Generates the Python code of the protobuf contracts (``protos/`` -> ``libs/herne``)."""
