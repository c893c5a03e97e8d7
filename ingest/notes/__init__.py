"""Raw incident notes: free text pasted from an incident doc, a status page or a postmortem.

The modules are imported one by one (``ingest.notes.reader`` reads a notes file), so that a
pull that only needs the milestone words in ``ingest.notes.words`` does not load the reader.
"""
