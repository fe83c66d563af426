namespace Sandboxd.Isolation.Images;

/// <summary>A remove of an image a live sandbox, a create under way or the warm pool uses.</summary>
public sealed class ImageInUseException(string name, string user) : Exception($"image '{name}' is in use by {user}")
{
    public string Name { get; } = name;
}
