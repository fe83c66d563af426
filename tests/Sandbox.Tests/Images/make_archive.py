"""Builds the tarballs the image tests import: a small real rootfs (a few host binaries and the
libraries they load, found with ldd, their symlinks as the host has them) and hostile archives,
each a few good entries and then the one that must be refused.

usage: make_archive.py KIND OUT [ARG]   (OUT ending .tar, .tar.gz or .tar.xz)"""
import io
import os
import re
import subprocess
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else ""
mode = "w:gz" if out.endswith(".gz") else "w:xz" if out.endswith(".xz") else "w"
tar = tarfile.open(out, mode, format=tarfile.PAX_FORMAT)
added = set()


def entry(name, type_, **fields):
    info = tarfile.TarInfo(name)
    info.type = type_
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def add_file(name, data, mode_=0o644):
    tar.addfile(entry(name, tarfile.REGTYPE, size=len(data), mode=mode_), io.BytesIO(data))


def add_dir(name, mode_=0o755):
    tar.addfile(entry(name, tarfile.DIRTYPE, mode=mode_))


def add_host(path):
    """Entries that make the host's absolute path resolve the same way in the image."""
    parts = path.strip("/").split("/")
    current = ""
    for i, part in enumerate(parts):
        current += "/" + part
        if os.path.islink(current):
            if current not in added:
                added.add(current)
                tar.addfile(entry(current[1:], tarfile.SYMTYPE, linkname=os.readlink(current)))
            target = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
            rest = "/".join(parts[i + 1:])
            add_host(target + ("/" + rest if rest else ""))
            return
        if current not in added:
            added.add(current)
            tar.add(current, arcname=current[1:], recursive=False)


def rootfs():
    binaries = ["/bin/sh", "/usr/bin/true", "/usr/bin/cat", "/usr/bin/id"]
    libraries = set()
    for binary in binaries:
        for line in subprocess.run(["ldd", os.path.realpath(binary)], capture_output=True, text=True).stdout.splitlines():
            found = re.search(r"(/\S+) \(0x", line)
            if found:
                libraries.add(found.group(1))
    for path in binaries + sorted(libraries):
        add_host(path)
    add_dir("tmp", 0o1777)
    add_dir("etc")
    add_file("etc/marker", b"imported\n")


def good_start():
    add_dir("etc")
    add_file("etc/ok", b"ok\n")


if kind == "rootfs":
    rootfs()
elif kind == "extras":
    rootfs()
    add_file("usr/local/bin/suid", b"#!/bin/sh\n", 0o4755)
    add_dir("var")
    add_dir("var/mail", 0o2775)
    tar.addfile(entry("usr/bin/true2", tarfile.LNKTYPE, linkname="usr/bin/true"))
    tar.addfile(entry("run/initctl", tarfile.FIFOTYPE, mode=0o600))
elif kind == "absolute":
    good_start()
    add_file("/evil", b"x")
elif kind == "dotdot":
    good_start()
    add_file("etc/../../evil", b"x")
elif kind == "symlink":
    good_start()
    tar.addfile(entry("escape", tarfile.SYMTYPE, linkname=arg))
    add_file("escape/evil", b"x")
elif kind == "device":
    good_start()
    tar.addfile(entry("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666))
elif kind == "hardlink-out":
    good_start()
    tar.addfile(entry("passwd", tarfile.LNKTYPE, linkname="../../../../etc/passwd"))
elif kind == "hardlink-missing":
    good_start()
    tar.addfile(entry("shadow", tarfile.LNKTYPE, linkname="etc/shadow"))
elif kind == "bomb":
    good_start()
    size = int(arg)
    tar.addfile(entry("zeros", tarfile.REGTYPE, size=size), io.BytesIO(bytes(size)))
elif kind == "entries":
    good_start()
    for i in range(int(arg)):
        add_file(f"many/f{i}", b"")
else:
    sys.exit(f"unknown kind {kind}")
tar.close()
