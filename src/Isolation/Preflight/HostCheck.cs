namespace Sandboxd.Isolation.Preflight;

/// <summary>One thing a layer needs from the host. A failed required check refuses to start
/// (fail closed); a failed optional one names the feature that is off.</summary>
public sealed record HostCheck(string Name, bool Ok, bool Required, string Detail);
