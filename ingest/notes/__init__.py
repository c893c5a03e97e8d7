"""Raw incident notes: free text pasted from an incident doc, a status page or a postmortem."""

from ingest.notes.kinds import guess_kind
from ingest.notes.reader import read_notes
from ingest.notes.sentences import split_sentences

__all__ = ["guess_kind", "read_notes", "split_sentences"]
