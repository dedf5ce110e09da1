"""core.paths.read_head: what every YAML file of a lint is read with (the reader, discovery's
sniffing, pointers, CRDs). Real files, FIFOs and folders."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from overlay_lint.core.paths import read_head


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_reads_up_to_the_limit(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256 + 1)
    f = tmp_path / "f.yaml"
    f.write_bytes(data[:size])
    assert read_head(str(f), 100) == data[:min(size, 100)]
    assert read_head(str(f), 10_000) == data[:size]


def test_a_folder_is_a_directory_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        read_head(str(tmp_path), 100)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_head(str(tmp_path / "nothing.yaml"), 100)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(read_head(str(pipe), 100))
        except OSError as exc:
            outcome.append(exc)
    t = threading.Thread(target=read, daemon=True)   # a blocking open would hang here
    t.start()
    t.join(10)
    assert outcome and isinstance(outcome[0], OSError), outcome
    assert "not a regular file" in str(outcome[0])


def test_no_descriptor_is_left_open(tmp_path: Path) -> None:
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("no /proc here")
    f = tmp_path / "f.yaml"
    f.write_text("a: 1\n")
    before = len(list(fds.iterdir()))
    for _ in range(50):
        read_head(str(f), 100)
        with pytest.raises(IsADirectoryError):
            read_head(str(tmp_path), 100)
    assert len(list(fds.iterdir())) == before
