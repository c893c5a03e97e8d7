"""Builders of the bundled example incident; run ``examples/make_example_incident.py``."""
