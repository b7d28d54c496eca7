"""Corpus tests run torch on one thread.

The programs' tensors are tiny: on a busy two-core machine, torch's intra-op threads only wait
for each other (a 6x6 convolution took 18 ms with two threads under load). Both runs of a
program use the same setting, so their numbers stay comparable.
"""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
