namespace Sandboxd.Isolation.Profiles;

/// <summary>One rlimit set on a sandbox's init, inherited by every command.</summary>
public sealed record RlimitSetting(RlimitResource Resource, ulong Soft, ulong Hard);
