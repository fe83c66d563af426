namespace Sandboxd.Isolation.Launch;

/// <summary>Reads what an audited call points at (the program path, the address) from the caller's
/// memory while it waits on the listener: the call has not run yet. Best effort: the process may be gone.</summary>
internal static class CallMemory
{
    public static string Describe(string syscall, int pid, ReadOnlySpan<byte> call) => syscall switch
    {
        "execve" => ReadString(pid, SyscallArgs.Arg(call, 0)),
        "execveat" => ReadString(pid, SyscallArgs.Arg(call, 1)),
        "connect" => SockaddrText.Format(ReadMemory(pid, SyscallArgs.Arg(call, 1), (int)Math.Min(SyscallArgs.Arg(call, 2), 128))),
        _ => "",
    };

    private static string ReadString(int pid, ulong address)
    {
        var bytes = ReadMemory(pid, address, 512);
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    private static byte[] ReadMemory(int pid, ulong address, int length)
    {
        try
        {
            using var mem = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            mem.Seek((long)address, SeekOrigin.Begin);
            var buffer = new byte[length];
            int read = mem.Read(buffer, 0, length);
            return buffer.AsSpan(0, read).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}
