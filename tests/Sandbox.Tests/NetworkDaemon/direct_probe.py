# Runs inside a sandbox (python3 from the host's /usr, stdlib only), read from stdin:
#   python3 - raw|udp|tcp ADDRESS|gateway [PORT]
# ("gateway": the default route's next hop from /proc/net/route, the host side of the sandbox's veth)
# A way past the proxy, tried once; prints one line saying how far it got:
#   raw:  "raw open-failed <errno>" | "raw no-reply" | "raw reply"   (ICMP echo over a raw socket)
#   udp:  "udp send-failed <errno>" | "udp no-reply" | "udp reply"   (a datagram to a UDP echo server)
#   tcp:  "tcp connect-failed <errno or timeout>" | "tcp connected"
import errno
import os
import socket
import struct
import sys



def default_gateway():
    with open("/proc/net/route") as routes:
        for line in routes.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                return socket.inet_ntoa(struct.pack("<I", int(fields[2], 16)))
    raise RuntimeError("no default route")


mode, address = sys.argv[1], sys.argv[2]
if address == "gateway":
    address = default_gateway()
family = socket.AF_INET6 if ":" in address else socket.AF_INET


def name(e):
    return "timeout" if isinstance(e, socket.timeout) else errno.errorcode.get(e.errno, str(e.errno))


def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def raw():
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    except OSError as e:
        return "open-failed " + name(e)
    ident = os.getpid() & 0xFFFF
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + b"sbx!"), ident, 1) + b"sbx!"
    sock.settimeout(1)
    try:
        sock.sendto(packet, (address, 0))
        while True:
            reply = sock.recv(1500)
            icmp = reply[(reply[0] & 0x0F) * 4:]
            if icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident:
                return "reply"
    except OSError as e:
        return "no-reply" if isinstance(e, socket.timeout) else "send-failed " + name(e)


def udp():
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(1)
    try:
        sock.sendto(b"sbx-udp", (address, int(sys.argv[3])))
        return "reply" if sock.recv(64) == b"sbx-udp" else "other"
    except OSError as e:
        return "no-reply" if isinstance(e, socket.timeout) else "send-failed " + name(e)


def tcp():
    try:
        socket.create_connection((address, int(sys.argv[3])), timeout=2).close()
        return "connected"
    except OSError as e:
        return "connect-failed " + name(e)


print(mode, {"raw": raw, "udp": udp, "tcp": tcp}[mode]())
