"""``python -m jupyter_sagemaker_ack`` runs the ``sagemaker-ack`` command."""

from .faces.cli import main

main()
