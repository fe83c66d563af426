using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Launch;

/// <summary>Answers one command's seccomp user notifications: reports each audited call, then
/// lets it run. A thread of its own, because the audited process waits on every answer; it
/// ends when no process using the filter is left. If this listener is gone, audited calls fail
/// (ENOSYS) rather than run unseen.</summary>
internal static unsafe class SyscallListener
{
    public static void Start(int listener, object? tag, Action<SyscallNotice> report) =>
        new Thread(() => Run(listener, tag, report)) { IsBackground = true, Name = "sbx-seccomp-notify" }.Start();

    private static void Run(int listener, object? tag, Action<SyscallNotice> report)
    {
        try
        {
            ulong* args = stackalloc ulong[6];
            while (true)
            {
                ulong id;
                int pid, nr;
                if (Native.NotifRecv(listener, &id, &pid, &nr, args) != 1)
                    return;
                try
                {
                    var name = SyscallTable.TryGetName(nr, out var n) && n is not null ? n : $"syscall {nr}";
                    report(new SyscallNotice(tag, pid, name, Describe(name, pid, args)));
                }
                catch (Exception)
                {
                    // Reporting must never hold the sandboxed process: answer regardless.
                }
                Native.NotifContinue(listener, id);
            }
        }
        finally
        {
            Native.Close(listener);
        }
    }

    private static string Describe(string syscall, int pid, ulong* args) => syscall switch
    {
        "execve" => ReadString(pid, args[0]),
        "execveat" => ReadString(pid, args[1]),
        "connect" => ReadSockaddr(pid, args[1], (int)Math.Min(args[2], 128)),
        _ => "",
    };

    /// <summary>From the caller's memory while it waits on us (the call has not run yet).</summary>
    private static string ReadString(int pid, ulong address)
    {
        var bytes = ReadMemory(pid, address, 512);
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    private static string ReadSockaddr(int pid, ulong address, int length)
    {
        var b = ReadMemory(pid, address, length);
        if (b.Length < 2)
            return "";
        int family = b[0] | (b[1] << 8);
        return family switch
        {
            2 when b.Length >= 8 => $"{b[4]}.{b[5]}.{b[6]}.{b[7]}:{(b[2] << 8) | b[3]}",
            10 when b.Length >= 24 => $"[{new System.Net.IPAddress(b.AsSpan(8, 16))}]:{(b[2] << 8) | b[3]}",
            1 => "unix:" + System.Text.Encoding.UTF8.GetString(b, 2, b.Length - 2).TrimEnd('\0'),
            _ => $"family {family}",
        };
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
