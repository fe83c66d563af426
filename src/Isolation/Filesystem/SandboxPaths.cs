namespace Sandboxd.Isolation.Filesystem;

/// <summary>Where a sandbox's root is assembled. Every sandbox uses the same host directory as
/// its mount point: mounts made there exist only inside that sandbox's mount namespace, so a
/// create or destroy mounts nothing on the host. The one thing of a sandbox on the host's
/// filesystem is its disk image (<see cref="DiskImage"/>), which keeps its files across a stop.</summary>
public sealed record SandboxPaths(string StateDir, string RuntimeDir, string Id)
{
    /// <summary>Shared mount point of a small tmpfs holding the mount points below.</summary>
    public string Scratch => Path.Combine(RuntimeDir, "scratch");

    /// <summary>Where the sandbox's disk (its ext4 image, or a sized tmpfs when planned without
    /// one) is mounted: the writable layer and overlayfs's work dir live on it.</summary>
    public string Disk => Path.Combine(Scratch, "disk");

    public string Upper => Path.Combine(Disk, "upper");

    public string Work => Path.Combine(Disk, "work");

    public string Root => Path.Combine(Scratch, "root");

    /// <summary>The ext4 image file of the sandbox's disk, sized to its disk limit.</summary>
    public string DiskImage => Path.Combine(DisksDir, Id + ".ext4");

    /// <summary>Every sandbox's disk image: only root may read them.</summary>
    public string DisksDir => Path.Combine(StateDir, "disks");

    /// <summary>Where the idmapped image is attached to serve as the overlay's lower layer: in
    /// the scratch tmpfs, outside the root, so after pivot_root no path inside reaches it.</summary>
    public string ImageLower => Path.Combine(Scratch, "image");

    /// <summary>The idmapped host /usr, lower layer of the sandbox's read-only /usr overlay.</summary>
    public string UsrLower => Path.Combine(Scratch, "usr");

    /// <summary>An empty dir: overlayfs without an upper layer needs two lower layers.</summary>
    public string EmptyLower => Path.Combine(Scratch, "empty");
}
