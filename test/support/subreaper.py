#!/usr/bin/env python3
"""Run a command as a child subreaper that does not reap: orphans stay zombies.

Usage: subreaper.py CMD ARGS...

Makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), runs CMD with
stdout/stderr inherited and waits for CMD alone. Every process orphaned
below it (a detached container's monitor, then the container's PID 1 when
the monitor dies) is re-parented to it, and when one of those is killed it
stays a zombie: nothing reaps it. That is what a host or container init that
never reaps does forever; this machine's init reaps only every few seconds.

Prints `exit N` (CMD's code) on stderr, then waits until its stdin closes,
reaps every child and exits 0.
"""
import ctypes
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit(f"prctl PR_SET_CHILD_SUBREAPER: {os.strerror(ctypes.get_errno())}")

code = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL).wait()
print(f"exit {code}", file=sys.stderr, flush=True)
sys.stdin.read()
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
