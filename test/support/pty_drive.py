#!/usr/bin/env python3
"""Drive a command inside a fresh pseudo-terminal, expect-style.

Usage: pty_drive.py SPEC_JSON   (or SPEC_JSON on stdin when the argument is '-')

SPEC: {
  "argv": ["./bin/tsrun", "run", "-it", "demo:1", "sh"],
  "env": {"TSRUN_ROOT": "..."},          # merged over os.environ
  "rows": 30, "cols": 100,                # initial window size
  "timeout": 20,                          # seconds, per expect and for the final exit
  "steps": [
    {"expect": "regex"},                  # wait until the output (after the last match) matches
    {"send": "echo hi\\r"},               # write to the terminal
    {"sleep": 0.5},
    {"resize": [40, 120]}                 # TIOCSWINSZ on the terminal (kernel sends SIGWINCH)
  ]
}

Prints one JSON object: {"ok": bool, "exitCode": int|null, "signal": int|null,
"output": str, "failed": str|null}. Never raises on a failed expectation: the
test decides.
"""
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    raw = sys.stdin.read() if sys.argv[1] == "-" else sys.argv[1]
    spec = json.loads(raw)
    timeout = float(spec.get("timeout", 20))
    env = dict(os.environ)
    env.setdefault("TERM", "xterm")
    env.update(spec.get("env") or {})

    master, slave = os.openpty()
    set_winsize(slave, int(spec.get("rows", 24)), int(spec.get("cols", 80)))

    def child_setup():
        # start_new_session made us a session leader; take the terminal.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        spec["argv"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=spec.get("cwd"),
        start_new_session=True,
        preexec_fn=child_setup,
        close_fds=True,
    )
    os.close(slave)

    out = bytearray()
    cursor = 0
    eof = False

    def pump(wait):
        nonlocal eof
        if eof:
            time.sleep(min(wait, 0.05))
            return
        r, _, _ = select.select([master], [], [], wait)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                data = b""
            if data:
                out.extend(data)
            else:
                eof = True

    failed = None
    for step in spec.get("steps", []):
        if "expect" in step:
            pat = re.compile(step["expect"].encode(), re.S)
            deadline = time.monotonic() + float(step.get("timeout", timeout))
            while True:
                m = pat.search(out, cursor)
                if m:
                    cursor = m.end()
                    break
                if time.monotonic() > deadline or (eof and proc.poll() is not None):
                    failed = "expect %r" % step["expect"]
                    break
                pump(0.05)
            if failed:
                break
        elif "send" in step:
            os.write(master, step["send"].encode())
        elif "sleep" in step:
            end = time.monotonic() + float(step["sleep"])
            while time.monotonic() < end:
                pump(0.02)
        elif "resize" in step:
            rows, cols = step["resize"]
            set_winsize(master, int(rows), int(cols))

    # Wait for the process to end (draining output so it never blocks).
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        pump(0.05)
    if proc.poll() is None:
        failed = failed or "process did not exit within %ss" % timeout
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    # Drain what is left.
    end = time.monotonic() + 1.0
    while not eof and time.monotonic() < end:
        pump(0.05)
    os.close(master)

    rc = proc.returncode
    print(json.dumps({
        "ok": failed is None,
        "exitCode": rc if rc is not None and rc >= 0 else None,
        "signal": -rc if rc is not None and rc < 0 else None,
        "output": out.decode("utf-8", "replace"),
        "failed": failed,
    }))


if __name__ == "__main__":
    main()
