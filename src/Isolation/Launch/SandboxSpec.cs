namespace Sandboxd.Isolation.Launch;

/// <summary>What a sandbox is made of. Image null = the default image.</summary>
public sealed record SandboxSpec(string Id, string? Image, string Hostname, string TmpSize = "256m");
