namespace Sandboxd.Governance.Config;

/// <summary>One entry of sandboxd.yaml's pools: how many sandboxes of a profile on an image the
/// daemon keeps prepared. Image "" is the built-in image.
/// <code>
/// pools:
///   - { profile: default, image: alpine, size: 2 }
///   - { profile: strict, size: 1 }     # the built-in image
/// </code></summary>
public sealed record PoolConfig(string Profile, string Image, int Size)
{
    /// <summary>More than this many prepared sandboxes of one kind is a typo, not a pool.</summary>
    public const int MaxSize = 256;
}
