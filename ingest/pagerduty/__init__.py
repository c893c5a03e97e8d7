"""PagerDuty: incidents, log entries, alerts and notes to events, from files or the REST API."""
