"""Reading incident artifacts (files and live APIs) into frames of UTC events.

Import what you need from its module (``ingest.schema``, ``ingest.slack.export``, ...): this
package imports nothing itself, so that a worker process reading Slack day files starts without
pandas.
"""
