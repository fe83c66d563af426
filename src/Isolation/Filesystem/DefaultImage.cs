using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>The image a sandbox gets when it names none: works on any Debian-like host with
/// nothing downloaded. The host's /usr is bound read-only over usr/ at launch; /etc is
/// generated here, never the host's own (no passwd hashes, no host config leaks in).</summary>
public static class DefaultImage
{
    public const string UsrMountPoint = "usr";

    private static readonly string[] UsrLinks = ["bin", "sbin", "lib", "lib64", "lib32", "libx32"];

    /// <summary>Host /etc entries safe to copy, what a Debian container's /etc has: public tables
    /// (services and protocols for getservbyname / getprotobyname / getaddrinfo(host, "http"),
    /// networks, rpc, ethertypes, mime.types), the resolver's and loader's configuration
    /// (host.conf, gai.conf, ld.so.cache, ld.so.conf), the time zone, the OS's name (os-release is
    /// a link into /usr), the login shells and OpenSSL's configuration. None holds a secret.
    /// Never taken: shadow, gshadow, the host's passwd/group/hosts/hostname, ssh keys, machine-id
    /// (it identifies the host), /etc/ssl/private and everything else.</summary>
    private static readonly string[] CopiedEtc =
    [
        "services", "protocols", "networks", "rpc", "ethertypes", "mime.types", "host.conf", "gai.conf",
        "ld.so.cache", "ld.so.conf", "localtime", "timezone", "os-release", "debian_version", "shells",
        "ssl/openssl.cnf",
    ];

    /// <summary>The CA certificates (public): ca-certificates.crt and the hashed links into
    /// /usr/share/ca-certificates, which the sandbox sees through its /usr.</summary>
    private const string CaCertificates = "ssl/certs";

    /// <summary>What glibc's lookups read; the host's may name modules (systemd, sss, ldap) whose
    /// daemons a sandbox cannot reach.</summary>
    public const string NsswitchConf =
        "passwd: files\ngroup: files\nshadow: files\ngshadow: files\nhosts: files dns\nnetworks: files\n" +
        "protocols: files\nservices: files\nethers: files\nrpc: files\n";

    /// <summary>192.0.2.53 is in TEST-NET-1 (RFC 5737), never a real server: in transparent mode
    /// the firewall redirects every query to port 53 to the sandbox's DNS stub whatever the
    /// address; in the other modes the query fails at once (no route, or rejected).</summary>
    public const string ResolvConf = "# sandboxd: answered by the egress DNS stub in transparent mode\nnameserver 192.0.2.53\noptions timeout:2 attempts:2\n";

    /// <summary>Where the image lives under the state dir.</summary>
    public const string RelativePath = "images/default";

    public static string Create(string stateDir)
    {
        var root = Path.Combine(stateDir, RelativePath);
        foreach (var dir in new[] { "usr", "etc", "home", "root", "tmp", "proc", "dev", "run", "var/tmp", "mnt" })
            Directory.CreateDirectory(Path.Combine(root, dir));
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0x3FF /* 1777 */ | UnixFileMode.StickyBit);
        File.SetUnixFileMode(Path.Combine(root, "var/tmp"), (UnixFileMode)0x3FF | UnixFileMode.StickyBit);
        File.SetUnixFileMode(Path.Combine(root, "root"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var home = Path.Combine(root, SandboxUser.Home.TrimStart('/'));
        Directory.CreateDirectory(home);
        Native.Chown(home, SandboxUser.Uid, SandboxUser.Gid);

        foreach (var link in UsrLinks)
            LinkLikeHost(root, link);
        WriteEtc(Path.Combine(root, "etc"));
        return root;
    }

    /// <summary>/bin → usr/bin where the host is usr-merged; a plain dir is left out.</summary>
    private static void LinkLikeHost(string root, string name)
    {
        var host = new FileInfo("/" + name);
        var path = Path.Combine(root, name);
        if (host.LinkTarget is not { } target || File.Exists(path) || Directory.Exists(path))
            return;
        File.CreateSymbolicLink(path, target);
    }

    private static void WriteEtc(string etc)
    {
        var u = SandboxUser.Uid;
        var g = SandboxUser.Gid;
        File.WriteAllText(Path.Combine(etc, "passwd"),
            $"root:x:0:0:root:/root:/bin/sh\n{SandboxUser.Name}:x:{u}:{g}:{SandboxUser.Name}:{SandboxUser.Home}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(etc, "group"), $"root:x:0:\n{SandboxUser.Name}:x:{g}:\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(etc, "hosts"), HostsFile.Localhost);
        File.WriteAllText(Path.Combine(etc, "nsswitch.conf"), NsswitchConf);
        File.WriteAllText(Path.Combine(etc, "resolv.conf"), ResolvConf);
        foreach (var name in CopiedEtc)
            CopyFromHost(etc, name);
        CopyTree("/etc/" + CaCertificates, Path.Combine(etc, CaCertificates));
        CopyAlternatives(etc);
    }

    private static void CopyFromHost(string etc, string name)
    {
        var host = new FileInfo(Path.Combine("/etc", name));
        var dest = Path.Combine(etc, name);
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        if (File.Exists(dest) || new FileInfo(dest).LinkTarget is not null)
            File.Delete(dest);
        if (host.LinkTarget is { } target)
            File.CreateSymbolicLink(dest, target);
        else if (host.Exists)
            host.CopyTo(dest, overwrite: true);
    }

    /// <summary>Regular files and symlinks, as they are (links stay links: they point into /usr or
    /// beside themselves); anything else is left out. Made afresh at each start.</summary>
    private static void CopyTree(string hostDir, string dest)
    {
        if (Directory.Exists(dest))
            SafeDelete.Tree(dest);
        Directory.CreateDirectory(dest);
        if (!Directory.Exists(hostDir))
            return;
        foreach (var entry in new DirectoryInfo(hostDir).EnumerateFileSystemInfos())
        {
            var path = Path.Combine(dest, entry.Name);
            if (entry.LinkTarget is { } target)
                File.CreateSymbolicLink(path, target);
            else if (entry is DirectoryInfo)
                CopyTree(entry.FullName, path);
            else if (entry is FileInfo file && (file.UnixFileMode & UnixFileMode.OtherRead) != 0)
                file.CopyTo(path);
        }
    }

    /// <summary>Debian's `cc`, `editor`, … are links through /etc/alternatives into /usr.</summary>
    private static void CopyAlternatives(string etc)
    {
        var dest = Path.Combine(etc, "alternatives");
        Directory.CreateDirectory(dest);
        if (!Directory.Exists("/etc/alternatives"))
            return;
        foreach (var entry in new DirectoryInfo("/etc/alternatives").EnumerateFileSystemInfos())
        {
            var path = Path.Combine(dest, entry.Name);
            if (entry.LinkTarget is not { } target || new FileInfo(path).LinkTarget is not null)
                continue;
            File.CreateSymbolicLink(path, target);
        }
    }
}
