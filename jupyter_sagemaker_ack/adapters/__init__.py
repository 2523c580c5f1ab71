"""One adapter per outside system (SageMaker SDK, S3/KMS, SageMaker API, Kubernetes): all the I/O."""
