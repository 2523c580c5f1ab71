"""`import jupyter_sagemaker_ack` costs at most 150 ms over `python -c pass` (fastest start of each), and
imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

from _common import command_seconds, finish, report, sized


def main() -> None:
    # The fastest start of each: load from elsewhere on the machine only ever adds time.
    base = command_seconds([sys.executable, "-c", "pass"], repeat=sized(9, 5), fastest=True)
    ours = command_seconds(
        [sys.executable, "-c", "import jupyter_sagemaker_ack"], repeat=sized(9, 5), fastest=True
    )
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, jupyter_sagemaker_ack; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sagemaker', 'kubernetes', 'boto3', 'botocore'}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"python -c pass: {base * 1000:.1f} ms; import jupyter_sagemaker_ack: {ours * 1000:.1f} ms; heavy: {heavy}"
    )
    finish(
        [
            report(
                f"import cost over bare interpreter (fastest of {sized(9, 5)})",
                (ours - base) * 1000,
                150,
                "ms",
            ),
            report("heavy modules imported", float(heavy != "[]"), 0, "count"),
        ]
    )


if __name__ == "__main__":
    main()
