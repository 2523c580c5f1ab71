"""The hand-off operations (publish, render, verify, submit, watch, stop), composed from core and adapters."""
