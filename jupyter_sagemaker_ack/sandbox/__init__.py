"""Local stand-ins for S3/KMS/STS, SageMaker Pipelines, a Kubernetes API and the ACK controller.

For development, demos and tests only. Nothing in core, adapters, services or the Jupyter faces imports
this package; it talks to its peers with the official clients (boto3, kubernetes) over HTTP.
"""
