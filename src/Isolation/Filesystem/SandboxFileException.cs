using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>A file API call failed on a path inside a sandbox: the message names the path and
/// the errno ("/etc/x: No such file or directory (ENOENT)"). ErrorNumber is 0 for a refusal of
/// the daemon's own ("is a FIFO, not a regular file").</summary>
public sealed class SandboxFileException : Exception
{
    public SandboxFileException(string path, int errno, string? what = null)
        : base($"{path}: {what ?? Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})")
    {
        Path = path;
        ErrorNumber = errno;
    }

    public SandboxFileException(string path, string refusal) : base($"{path}: {refusal}")
    {
        Path = path;
    }

    public SandboxFileException() => Path = "";

    public SandboxFileException(string message, Exception inner) : base(message, inner) => Path = "";

    public string Path { get; }

    public int ErrorNumber { get; }
}
