"""Keep the record of every run, and run it again elsewhere.

::

    from ftclient import archive

    summary = await archive.export(openai_client, "ft-archive")  # jobs, events, checkpoints...
    plan = await archive.rerun(bedrock_client, "ft-archive", model_map={"gpt-4o-mini": "..."})

:func:`export` copies every job of an account (or those matching a metadata filter) with its
events, checkpoints, checkpoint permissions and files into a directory of JSON lines and the
files' bytes (layout: :class:`Archive`); run again, it copies only what changed. :func:`rerun`
recreates chosen jobs on another server, each exactly once however often it is run.
"""

from ._export import ExportSummary, export
from ._layout import FORMAT, Archive
from ._rerun import RerunJob, idempotency_key_for, rerun

__all__ = [
    "FORMAT",
    "Archive",
    "ExportSummary",
    "RerunJob",
    "export",
    "idempotency_key_for",
    "rerun",
]
