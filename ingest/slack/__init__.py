"""Slack: messages to events, from a workspace export or the Web API."""
