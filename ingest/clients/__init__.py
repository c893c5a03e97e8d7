"""The official PagerDuty, GitHub and Slack clients, built once per run from settings."""
