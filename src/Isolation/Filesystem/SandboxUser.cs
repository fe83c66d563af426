namespace Sandboxd.Isolation.Filesystem;

/// <summary>The unprivileged user commands run as by default, present in the generated /etc.</summary>
public static class SandboxUser
{
    public const uint Uid = 10001;
    public const uint Gid = 10001;
    public const string Name = "sandbox";
    public const string Home = "/home/sandbox";
}
