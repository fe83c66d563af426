namespace Sandboxd.Isolation.Filesystem;

/// <summary>Where a sandbox's root is assembled. Every sandbox uses the same host directory as
/// its mount point: mounts made there exist only inside that sandbox's mount namespace, so a
/// create or destroy writes nothing to the host's filesystem (and leaves nothing to delete).</summary>
public sealed record SandboxPaths(string StateDir, string RuntimeDir, string Id)
{
    /// <summary>Shared mount point of the writable layer's tmpfs.</summary>
    public string Scratch => Path.Combine(RuntimeDir, "scratch");

    public string Upper => Path.Combine(Scratch, "upper");

    public string Work => Path.Combine(Scratch, "work");

    public string Root => Path.Combine(Scratch, "root");

    /// <summary>Where the idmapped image is attached to serve as the overlay's lower layer: in
    /// the scratch tmpfs, outside the root, so after pivot_root no path inside reaches it.</summary>
    public string ImageLower => Path.Combine(Scratch, "image");

    /// <summary>The idmapped host /usr, lower layer of the sandbox's read-only /usr overlay.</summary>
    public string UsrLower => Path.Combine(Scratch, "usr");

    /// <summary>An empty dir: overlayfs without an upper layer needs two lower layers.</summary>
    public string EmptyLower => Path.Combine(Scratch, "empty");
}
