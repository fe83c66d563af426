namespace Sandboxd.Isolation.Images;

/// <summary>An import refused; the message names the entry that broke it ("entry 'etc/x': …"),
/// or says that it failed before the first entry.</summary>
public sealed class ImageImportException(ImageImportError error, string? entry, string problem)
    : Exception(entry is null ? $"archive: {problem}" : $"entry '{Shown(entry)}': {problem}")
{
    public ImageImportError Error { get; } = error;

    /// <summary>The entry's name as the archive has it; null before the first entry.</summary>
    public string? Entry { get; } = entry;

    private static string Shown(string name) => name.Length <= 200 ? name : name[..200] + "…";
}
