namespace Sandboxd.Isolation.Images;

public sealed class ImageExistsException(string name)
    : Exception($"image '{name}' already exists or is being imported (`sandboxctl image rm {name}` first)")
{
    public string Name { get; } = name;
}
