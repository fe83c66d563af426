namespace Sandboxd.Isolation.Seccomp;

/// <summary>The profiles sandboxd ships. Their only copy is profiles/seccomp/*.yaml, embedded in
/// this assembly (the reasons for each rule are written there); this reads them once.</summary>
public static class BuiltinProfiles
{
    private const string ResourcePrefix = "seccomp/";

    public static SeccompProfile Default { get; } = Load("default");

    public static SeccompProfile Strict { get; } = Load("strict");

    private static SeccompProfile Load(string name) => SeccompProfileYaml.Load(ReadResource(name), ReadResource);

    private static string ReadResource(string name)
    {
        using var stream = typeof(BuiltinProfiles).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".yaml")
            ?? throw new FileNotFoundException($"seccomp profile '{name}' is not embedded in {typeof(BuiltinProfiles).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
