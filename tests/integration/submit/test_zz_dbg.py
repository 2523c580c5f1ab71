import sys
sys.path.insert(0, "/tmp/dev")
import dbg  # noqa
from .test_status_resilience import test_sagemaker_throttling_backs_off_without_failing  # noqa
