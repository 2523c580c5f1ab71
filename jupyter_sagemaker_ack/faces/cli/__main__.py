"""``python -m jupyter_sagemaker_ack.faces.cli`` runs the ``sagemaker-ack`` command."""

from . import main

main()
