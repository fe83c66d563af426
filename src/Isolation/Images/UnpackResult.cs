namespace Sandboxd.Isolation.Images;

/// <summary>What an import unpacked.</summary>
public sealed record UnpackResult(long Bytes, long Entries, long SetuidStripped);
