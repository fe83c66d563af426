namespace Sandboxd.Isolation.Seccomp;

/// <summary>One YAML argument filter; value and mask accept decimal, 0x hex and 0o octal.</summary>
internal sealed class ArgFilterDocument
{
    public int Index { get; set; }
    public string Op { get; set; } = "";
    public string Value { get; set; } = "0";
    public string? Mask { get; set; }
}
