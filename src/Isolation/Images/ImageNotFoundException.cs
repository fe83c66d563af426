namespace Sandboxd.Isolation.Images;

public sealed class ImageNotFoundException(string name)
    : Exception($"image '{name}' is not imported on this host (`sandboxctl image list` shows those that are)")
{
    public string Name { get; } = name;
}
