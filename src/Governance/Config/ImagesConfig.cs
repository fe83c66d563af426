namespace Sandboxd.Governance.Config;

/// <summary>sandboxd.yaml's images: section, the caps of one image import.
/// <code>images: { maxBytes: 8G, maxEntries: 1000000, keepSetuid: false }</code></summary>
public sealed record ImagesConfig(long MaxBytes, long MaxEntries, bool KeepSetuid)
{
    /// <summary>8 GiB of file data and a million entries: a large distribution image (a full
    /// Debian with toolchains, docker export) is ~2 GiB in ~100,000 entries. setuid/setgid bits of
    /// files are removed: the sandbox's root is nosuid anyway.</summary>
    public static ImagesConfig Default { get; } = new(8L << 30, 1_000_000, false);
}
