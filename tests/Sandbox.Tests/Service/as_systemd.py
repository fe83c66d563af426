# Runs a command the way systemd runs a Type=notify unit's ExecStart, as far as the command can
# tell: its parent process is named "systemd" (what Microsoft.Extensions.Hosting.Systemd checks)
# and NOTIFY_SOCKET names the datagram socket to notify. Prints the command's pid, then waits.
#   as_systemd.py NOTIFY_SOCKET_PATH COMMAND [ARG...]
import ctypes
import os
import sys

PR_SET_NAME = 15
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_NAME, b"systemd", 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_NAME): errno %d" % ctypes.get_errno())

notify, argv = sys.argv[1], sys.argv[2:]
env = dict(os.environ, NOTIFY_SOCKET=notify)
pid = os.fork()
if pid == 0:
    try:
        os.execve(argv[0], argv, env)
    finally:
        os._exit(127)
print(pid, flush=True)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) % 256)
