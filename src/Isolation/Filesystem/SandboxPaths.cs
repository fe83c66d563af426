namespace Sandboxd.Isolation.Filesystem;

/// <summary>Where a sandbox lives on the host: its writable layer under the state dir and its
/// root mount point under the runtime dir. Named by id so a sweep can find leftovers.</summary>
public sealed record SandboxPaths(string StateDir, string RuntimeDir, string Id)
{
    public string SandboxStateDir => Path.Combine(StateDir, "sandboxes", Id);

    public string Upper => Path.Combine(SandboxStateDir, "upper");

    public string Work => Path.Combine(SandboxStateDir, "work");

    public string SandboxRuntimeDir => Path.Combine(RuntimeDir, "sandboxes", Id);

    public string Root => Path.Combine(SandboxRuntimeDir, "root");
}
