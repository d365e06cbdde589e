"""`--reload`: the handler instances start afresh when the watched sources change, and only then."""

import asyncio
import os

from local_api.workers import ReloadingHandlerPool


class FakePool:
    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.retired = False

    async def invoke(self, event):
        return self.generation

    def retire(self) -> None:
        self.retired = True


def test_a_changed_source_restarts_the_instances_before_the_next_request(tmp_path):
    source = tmp_path / "handler.py"
    source.write_text("VERSION = 1\n")
    started: list[FakePool] = []

    def start() -> FakePool:
        started.append(FakePool(len(started) + 1))
        return started[-1]

    reloading = ReloadingHandlerPool(start, tmp_path)

    def invoke():
        return asyncio.run(reloading.invoke({}))

    assert [invoke(), invoke()] == [1, 1]

    source.write_text("VERSION = 22\n")
    assert invoke() == 2
    assert started[0].retired
    assert not started[1].retired

    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "handler.cpython-311.py").write_text("")  # not a source: ignored
    assert invoke() == 3
    assert invoke() == 3
    assert len(started) == 3
