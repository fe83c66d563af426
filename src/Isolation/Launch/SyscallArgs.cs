using System.Buffers.Binary;
using System.Globalization;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Launch;

/// <summary>Reads a notified call's struct seccomp_data: its number and register arguments, and
/// the arguments worth recording for a refused call (what it tried, not memory it points at: a
/// refused call's caller is already running again, so its memory says nothing reliable).</summary>
internal static class SyscallArgs
{
    public static int Nr(ReadOnlySpan<byte> call) =>
        BinaryPrimitives.ReadInt32LittleEndian(call[(int)SeccompData.NrOffset..]);

    public static ulong Arg(ReadOnlySpan<byte> call, int index) =>
        BinaryPrimitives.ReadUInt64LittleEndian(call[(int)SeccompData.ArgLowOffset(index)..]);

    public static string Name(int nr) =>
        SyscallTable.TryGetName(nr, out var name) && name is not null ? name : $"syscall {nr}";

    /// <summary>The arguments the profile's decision can depend on, named; the first three for others.</summary>
    public static string DescribeDenied(string syscall, ReadOnlySpan<byte> call) => syscall switch
    {
        "clone" or "unshare" => $"flags=0x{Hex(call, 0)}",
        "setns" => $"fd={(int)Arg(call, 0)} nstype=0x{Hex(call, 1)}",
        "socket" => string.Create(CultureInfo.InvariantCulture,
            $"family={(int)Arg(call, 0)} type={(int)Arg(call, 1)} protocol={(int)Arg(call, 2)}"),
        "mknod" => $"mode=0o{Octal(call, 1)}",
        "mknodat" => $"mode=0o{Octal(call, 2)}",
        "mount" => $"flags=0x{Hex(call, 3)}",
        "personality" => $"persona=0x{Hex(call, 0)}",
        "clone3" => "",
        _ => $"args=0x{Hex(call, 0)},0x{Hex(call, 1)},0x{Hex(call, 2)}",
    };

    private static string Hex(ReadOnlySpan<byte> call, int index) => Arg(call, index).ToString("x", CultureInfo.InvariantCulture);

    private static string Octal(ReadOnlySpan<byte> call, int index) => Convert.ToString((long)(uint)Arg(call, index), 8);
}
