"""What one Jupyter kernel holds for every notebook face in it (the magics and the panel).

``settings``: the settings in effect (``%config SageMakerAck`` over the environment); ``publications``:
what this kernel published, found by the digest of a definition; ``runs``: the SageMaker ARNs of the runs
it has seen; ``source``: the pipeline a notebook variable holds, captured once. Neither face imports the
other; both import this package.
"""
