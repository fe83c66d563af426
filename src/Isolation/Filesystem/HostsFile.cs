namespace Sandboxd.Isolation.Filesystem;

/// <summary>/etc/hosts inside a sandbox: localhost, and the sandbox's own hostname on 127.0.1.1
/// (Debian's convention) so that resolving it works with no DNS, as in a Docker container.</summary>
public static class HostsFile
{
    public const string Localhost = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    public static string For(string hostname) => Localhost + $"127.0.1.1\t{hostname}\n";
}
