"""Shared service runtime: settings, logging, gRPC bootstrap, auth, errors, metrics."""
