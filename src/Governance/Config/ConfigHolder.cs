namespace Sandboxd.Governance.Config;

/// <summary>The config in force. A reload that fails keeps the old one and returns why.</summary>
public sealed class ConfigHolder(SandboxdConfig initial, string? path, ConfigNames? names = null)
{
    private volatile SandboxdConfig _current = initial;

    /// <summary>After a reload that took effect (the warm pool resizes on it).</summary>
    public event Action<SandboxdConfig>? Reloaded;

    public SandboxdConfig Current => _current;

    /// <summary>The file it was loaded from; null for the built-in config (nothing to reload).</summary>
    public string? Path => path;

    /// <summary>Null on success, else the error (file:line: key: problem); the old config stays.</summary>
    public string? Reload()
    {
        if (path is null)
            return null;
        try
        {
            _current = SandboxdConfig.LoadFile(path, names);
            Reloaded?.Invoke(_current);
            return null;
        }
        catch (Exception e) when (e is Profiles.ProfileFileException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>At start: --config PATH must exist; the default path may be absent (built-in config).</summary>
    public static ConfigHolder Load(string? explicitPath, ConfigNames? names = null)
    {
        if (explicitPath is null && !File.Exists(SandboxdConfig.DefaultPath))
            return new ConfigHolder(SandboxdConfig.BuiltIn, null, names);
        var file = explicitPath ?? SandboxdConfig.DefaultPath;
        return new ConfigHolder(SandboxdConfig.LoadFile(file, names), file, names);
    }
}
