"""Run the fake Bilibili in the foreground: `python -m tests.fakebili --port 8765`."""

from __future__ import annotations

import argparse

from tests.fakebili.server import FakeBilibili


def main(argv: list[str] | None = None) -> int:
    """Serve on 127.0.0.1 until interrupted, after printing the two base URLs."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakebili",
        description="Serve a fake Bilibili API and video pages on 127.0.0.1.",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="TCP port to listen on (0: any free)"
    )
    parser.add_argument(
        "--vip", action="store_true", help="report logged-in sessions as premium"
    )
    args = parser.parse_args(argv)
    fake = FakeBilibili(port=args.port, vip=args.vip)
    print(f"api_base   {fake.api_base}", flush=True)
    print(f"video_base {fake.video_base}", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
