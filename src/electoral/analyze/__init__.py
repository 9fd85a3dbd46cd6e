"""Analyses across elections: compare (flips, swing, history), polls, forecast."""
