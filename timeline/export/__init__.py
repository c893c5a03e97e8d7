"""Scheduled export: incidents closed since the last run, each pulled into the archive; stats."""
