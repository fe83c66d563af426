namespace Sandboxd.Isolation.Images;

/// <summary>Why an import failed, which decides its gRPC status. Persisted nowhere; the
/// numbers are for readers of logs only.</summary>
public enum ImageImportError
{
    /// <summary>An entry that would reach outside the image or make what an image may not hold.</summary>
    Unsafe = 1,
    /// <summary>The archive is not a tar, is corrupt or ends early.</summary>
    Broken = 2,
    /// <summary>Past the unpacked-bytes or entry-count cap.</summary>
    TooLarge = 3,
}
