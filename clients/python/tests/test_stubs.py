"""The committed grpcio stubs are what scripts/generate-stubs.sh makes from Protos/ today."""

import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent.parent


def test_committed_stubs_are_current():
    pytest.importorskip("grpc_tools")
    if not (HERE.parent.parent / "Protos").is_dir():
        pytest.skip("not in a RewardWeighting checkout")
    result = subprocess.run(
        ["bash", str(HERE / "scripts" / "generate-stubs.sh"), "--check"],
        capture_output=True, text=True, env=dict(os.environ, PYTHON=sys.executable),
    )
    assert result.returncode == 0, result.stdout + result.stderr
