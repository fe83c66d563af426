# Runs inside a sandbox (python3 from the host's /usr, stdlib only), read from stdin:
#   python3 - connect|socks5 TARGET PORT SNI
# Opens a tunnel to TARGET:PORT through the proxy the daemon named in the environment (HTTP_PROXY
# for CONNECT, ALL_PROXY for SOCKS5), then does a real TLS handshake for
# SNI whose ClientHello goes out as two TLS records, cut right after the compression methods (the
# first record names no server), each in its own TCP segment. Prints what it saw, one fact a line:
#   tunnel <status>          200 (CONNECT) or 0 (SOCKS5 reply code) when the proxy opened the tunnel
#   hello-records 2          the hello really went out split
#   received <n>             bytes that came back from upstream before the tunnel closed (or the
#                            handshake ended)
#   handshake ok / closed    whether the TLS handshake completed
#   body <text>              with a completed handshake, the response to GET /
import os
import socket
import ssl
import struct
import sys
import time
from urllib.parse import urlsplit

via, target, port, sni = sys.argv[1:5]
port = int(port)
proxy = urlsplit(os.environ["HTTP_PROXY" if via == "connect" else "ALL_PROXY"])


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("proxy closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def open_tunnel():
    sock = socket.create_connection((proxy.hostname, proxy.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if via == "connect":
        sock.sendall(("CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (target, port, target, port)).encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += recv_exact(sock, 1)
        status = int(head.split(b" ")[1])
    else:
        sock.sendall(b"\x05\x01\x00")
        if recv_exact(sock, 2) != b"\x05\x00":
            raise RuntimeError("socks5: no-auth refused")
        name = target.encode()
        sock.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + struct.pack(">H", port))
        reply = recv_exact(sock, 4)
        recv_exact(sock, {1: 4, 4: 16}.get(reply[3], 0) + 2)  # the bound address and port
        status = reply[1]
    print("tunnel", status, flush=True)
    return sock, status == (200 if via == "connect" else 0)


def extensions_offset(message):
    # type(1) length(3) version(2) random(32), then session id, cipher suites, compression methods.
    offset = 4 + 2 + 32
    offset += 1 + message[offset]
    offset += 2 + struct.unpack(">H", message[offset:offset + 2])[0]
    offset += 1 + message[offset]
    return offset


def send_split_hello(sock, first_flight):
    header, length = first_flight[:3], struct.unpack(">H", first_flight[3:5])[0]
    message, rest = first_flight[5:5 + length], first_flight[5 + length:]
    cut = extensions_offset(message)
    pieces = [message[:cut], message[cut:]]
    for piece in pieces:
        sock.sendall(header + struct.pack(">H", len(piece)) + piece)
        time.sleep(0.05)
    if rest:
        sock.sendall(rest)
    print("hello-records", len(pieces), flush=True)


def handshake(sock):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test host's certificate; what matters is the name asked for
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=sni)
    received, first, done = 0, True, False
    while True:
        try:
            tls.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            pass
        flight = outgoing.read()
        if flight:
            if first:
                send_split_hello(sock, flight)
                first = False
            else:
                sock.sendall(flight)
        if done:
            break
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            data = b""
        if not data:
            break
        received += len(data)
        incoming.write(data)
    print("received", received, flush=True)
    print("handshake", "ok" if done else "closed", flush=True)
    return tls, incoming, outgoing, done


def get(sock, tls, incoming, outgoing):
    tls.write(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % sni).encode())
    sock.sendall(outgoing.read())
    response = b""
    while True:
        try:
            response += tls.read(65536)
            continue
        except ssl.SSLWantReadError:
            pass
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            break
        data = sock.recv(65536)
        if not data:
            break
        incoming.write(data)
    print("body", response.split(b"\r\n\r\n", 1)[-1].decode().strip(), flush=True)


sock, opened = open_tunnel()
if opened:
    tls, incoming, outgoing, done = handshake(sock)
    if done:
        get(sock, tls, incoming, outgoing)
sock.close()
