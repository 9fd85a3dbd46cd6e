"""Rendering: tables and maps in every output format. Nothing here computes a result."""
