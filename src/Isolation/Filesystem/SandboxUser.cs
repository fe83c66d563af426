namespace Sandboxd.Isolation.Filesystem;

/// <summary>The unprivileged user commands run as by default, present in the generated /etc.
/// Named as E2B names its sandboxes' user (`user`, home /home/user), so agent code written for
/// E2B finds the paths and the owner it expects.</summary>
public static class SandboxUser
{
    public const uint Uid = 10001;
    public const uint Gid = 10001;
    public const string Name = "user";
    public const string Home = "/home/user";

    /// <summary>The user's name before it followed E2B's: still accepted wherever a user is named.</summary>
    public const string FormerName = "sandbox";
}
