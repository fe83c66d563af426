namespace Sandboxd.Governance.Profiles;

/// <summary>A profile (or pattern) file that cannot be used; names the file, the key and the line.</summary>
public sealed class ProfileFileException : Exception
{
    public ProfileFileException(string file, string key, long line, string problem, Exception? inner = null)
        : base($"{file}:{line}: {(key.Length > 0 ? key + ": " : "")}{problem}", inner)
    {
        File = file;
        Key = key;
        Line = line;
    }

    public ProfileFileException()
    {
        File = Key = "";
    }

    public ProfileFileException(string message) : base(message)
    {
        File = Key = "";
    }

    public ProfileFileException(string message, Exception innerException) : base(message, innerException)
    {
        File = Key = "";
    }

    public string File { get; }

    /// <summary>The dotted path of the key, e.g. "resources.memory"; empty for the document itself.</summary>
    public string Key { get; }

    public long Line { get; }
}
