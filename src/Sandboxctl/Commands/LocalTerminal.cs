using System.Runtime.InteropServices;

namespace Sandboxd.Ctl.Commands;

/// <summary>The local terminal of `exec -it`: raw mode while the session runs (every key goes
/// to the remote pty, ^C included), its window size, and the saved mode put back on dispose.</summary>
internal sealed unsafe partial class LocalTerminal : IDisposable
{
    private const int TermiosBytes = 60;
    private const int TCSANOW = 0;
    private const nuint TIOCGWINSZ = 0x5413;

    private readonly byte[] _saved = new byte[TermiosBytes];
    private bool _raw;

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int when, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw(byte* termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ushort* size);

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    public static bool StdinIsTerminal => IsATty(0) == 1;

    /// <summary>fd 0 or 1 as a plain stream of read(2)/write(2), not through System.Console:
    /// on a terminal, Console's stdin stream edits and echoes a whole line itself before the
    /// program sees any of it (so no key would reach the remote pty before Enter, and each
    /// would show twice), and its stdout stream sets the terminal up for Console's own use.</summary>
    public static Stream OpenFd(int fd, FileAccess access) =>
        new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);

    /// <summary>Raw mode on fd 0 when it is a terminal (a no-op otherwise).</summary>
    public void EnterRaw()
    {
        if (!StdinIsTerminal)
            return;
        fixed (byte* saved = _saved)
        {
            if (TcGetAttr(0, saved) == -1)
                return;
            var raw = stackalloc byte[TermiosBytes];
            new Span<byte>(saved, TermiosBytes).CopyTo(new Span<byte>(raw, TermiosBytes));
            CfMakeRaw(raw);
            _raw = TcSetAttr(0, TCSANOW, raw) == 0;
        }
    }

    /// <summary>Rows and columns of the first of stdin, stdout that is a terminal; 24x80 otherwise.</summary>
    public static (uint Rows, uint Cols) Size()
    {
        ushort* size = stackalloc ushort[4];
        foreach (var fd in new[] { 0, 1 })
            if (Ioctl(fd, TIOCGWINSZ, size) == 0 && size[0] > 0)
                return (size[0], size[1]);
        return (24, 80);
    }

    public void Dispose()
    {
        if (!_raw)
            return;
        fixed (byte* saved = _saved)
            TcSetAttr(0, TCSANOW, saved);
        _raw = false;
    }
}
