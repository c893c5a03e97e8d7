"""Reviewing a postmortem draft against the rubric and, optionally, the bundle it came from."""
