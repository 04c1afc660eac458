"""Offline demo: run the main job against the local fake Bilibili.

`python -m tests.fakebili.demo` starts the fake server on 127.0.0.1, then runs
`bilimq batch` and `bilimq run --exit-when-idle` in the terminal, with their
progress output, keeping the ledger, library and logs in `demo/`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tests.fakebili.server import FakeBilibili

ROOT = Path(__file__).resolve().parents[2]


def demo_environment(fake: FakeBilibili, folder: Path) -> dict[str, str]:
    """Return the environment that points bilimq at the fake and at `folder`."""
    env = dict(os.environ)
    env.update(
        {
            "BILIMQ_PATHS_DATA_DIR": str(folder / "data"),
            "BILIMQ_PATHS_LIBRARY_DIR": str(folder / "library"),
            "BILIMQ_PATHS_LOG_DIR": str(folder / "logs"),
            "BILIMQ_DATABASE_URL": f"sqlite:///{folder / 'data' / 'bilimq.db'}",
            "BILIMQ_BILIBILI_API_BASE": fake.api_base,
            "BILIMQ_BILIBILI_VIDEO_BASE": fake.video_base,
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=Path, default=ROOT / "examples" / "songs.txt")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--folder", type=Path, default=ROOT / "demo")
    args = parser.parse_args()

    folder = args.folder.resolve()
    with FakeBilibili() as fake:
        print(f"fake Bilibili listening at {fake.api_base}", file=sys.stderr)
        env = demo_environment(fake, folder)
        bilimq = [sys.executable, "-m", "bilimq"]
        steps = [
            [*bilimq, "batch", str(args.songs)],
            [*bilimq, "run", "--workers", str(args.workers), "--exit-when-idle"],
            [*bilimq, "status", "--limit", "20"],
        ]
        for step in steps:
            code = subprocess.call(step, env=env, cwd=ROOT)
            if code not in (0, 1):
                return code
    print(f"files saved in {folder / 'library'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
