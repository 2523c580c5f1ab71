"""How the notebook faces show things: HTML fragments, run snapshots in wire shape, the DAG picture.

The magics' rich output and the panel draw with the same pure helpers, so they live here, beside both
faces rather than inside one of them.
"""
