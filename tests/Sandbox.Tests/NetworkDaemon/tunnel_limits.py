# Run inside a sandbox: egress limits tried through the proxy the environment names (CONNECT).
#   hold N TARGET       open N tunnels one after another, keep all open, print each status
#   read TARGET SECONDS read one tunnel for SECONDS (0: to its end), print "bytes elapsed"
# The clock starts before the tunnel is asked for, so the proxy's rate schedule starts later.
import os, socket, sys, time, urllib.parse

proxy = urllib.parse.urlsplit(os.environ["HTTPS_PROXY"])


def tunnel(target):
    s = socket.create_connection((proxy.hostname, proxy.port), 10)
    s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            break
        head += chunk
    return s, head.split(b" ")[1].decode() if b" " in head else "none"


if sys.argv[1] == "hold":
    held, codes = [], []
    for _ in range(int(sys.argv[2])):
        s, code = tunnel(sys.argv[3])
        held.append(s)
        codes.append(code)
    print(" ".join(codes))
else:
    seconds = float(sys.argv[3])
    start = time.monotonic()
    s, code = tunnel(sys.argv[2])
    total = 0
    while True:
        left = start + seconds - time.monotonic()
        if seconds and left <= 0:
            break
        s.settimeout(left if seconds else 30)
        try:
            data = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not data:
            break
        total += len(data)
    print(code, total, f"{time.monotonic() - start:.6f}")
