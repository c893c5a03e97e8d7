"""GitHub: deployments, commits, pull requests and releases to events, from files or the API."""
