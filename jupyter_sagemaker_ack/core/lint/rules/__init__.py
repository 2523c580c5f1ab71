"""The lint rules, one module per family; ``findings.CODES`` names the module of every code.

A code's implementation is found from the code: ``CODES["SMA306"].module`` is ``"rules.graph"``, and
``rules/graph.py`` is where SMA306 is raised. The machinery the rules share (findings, the sink that places
them, positions, the walk over strings, the YAML reader) stays in the package above.
"""
