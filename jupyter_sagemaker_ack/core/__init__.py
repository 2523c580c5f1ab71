"""Pure, typed rules of the hand-off: definitions, DAGs, names, ACK manifests, lint, status, diff.

Nothing here does I/O or imports an SDK or client library; every other layer builds on it.
"""
