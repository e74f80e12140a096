"""The `e2e` marker selects the browser tests with `-m`, and they always run last."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Browser tests named first on the command line, so the ordering check means something.
PATHS = ["tests/e2e", "tests/platform/test_http.py"]


def collected(*options):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *options, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("tests/")]


@pytest.fixture(scope="module")
def everything():
    return collected()


def test_browser_tests_are_collected_last(everything):
    in_browser = [node.startswith("tests/e2e/") for node in everything]
    assert any(in_browser) and not all(in_browser)
    assert in_browser == sorted(in_browser)


def test_m_e2e_selects_exactly_the_browser_tests(everything):
    assert collected("-m", "e2e") == [n for n in everything if n.startswith("tests/e2e/")]


def test_m_not_e2e_leaves_every_browser_test_out(everything):
    assert collected("-m", "not e2e") == [n for n in everything if not n.startswith("tests/e2e/")]
