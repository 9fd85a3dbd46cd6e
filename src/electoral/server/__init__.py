"""The live results API and site."""
