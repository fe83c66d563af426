using System.Buffers.Binary;
using System.Text;

namespace Sandboxd.Isolation.Launch;

/// <summary>Mirrors native/init_proto.h: the messages between the daemon and a sandbox's init.</summary>
public static class InitProtocol
{
    public const uint MsgExec = 1;
    public const uint MsgKill = 2;
    public const uint MsgSetSeccomp = 3;
    public const uint MsgSetSeccompNotify = 4;
    public const uint MsgSetRootCaps = 5;
    public const uint MsgAdopt = 6;
    public const uint MsgStarted = 101;
    public const uint MsgExited = 102;
    public const uint MsgFailed = 103;
    public const uint MsgNotifyFd = 104;
    public const uint MsgAdopted = 105;

    /// <summary>Fds a sandbox's init holds for a restarted daemon (init_proto.h): the writable
    /// layer, and the daemon's end of a control socket while no daemon has it.</summary>
    public const int InitUpperFd = 5;
    public const int InitAdoptFd = 6;
    public const int ExecHeaderSize = 32;
    public const int KillSize = 16;
    public const int EventSize = 48;
    public const int CapsSize = 16;
    public const int MaxRequest = 262144;

    private static readonly Dictionary<int, string> ExecSteps = new()
    {
        [1] = "fork", [2] = "set up stdio", [3] = "setgroups", [4] = "setgid", [5] = "drop capabilities",
        [6] = "setuid", [7] = "no_new_privs", [8] = "chdir", [9] = "execve", [10] = "init protocol",
        [11] = "too many running commands", [12] = "seccomp", [13] = "rlimit", [14] = "controlling terminal",
    };

    public static string ExecStepName(int step) => ExecSteps.TryGetValue(step, out var n) ? n : $"step {step}";

    public const uint ExecFlagTty = 1;

    /// <summary>Header + cwd, argv and env as NUL-terminated strings. With <paramref name="tty"/>,
    /// stdin is a pty slave that init makes the command's controlling terminal.</summary>
    public static byte[] EncodeExec(uint execId, ExecSpec spec, bool tty = false)
    {
        var strings = new List<string>(1 + spec.Argv.Count + spec.Env.Count) { spec.Cwd };
        strings.AddRange(spec.Argv);
        strings.AddRange(spec.Env);
        int stringsLen = strings.Sum(s => Encoding.UTF8.GetByteCount(s) + 1);
        if (ExecHeaderSize + stringsLen > MaxRequest)
            throw new ArgumentException($"argv, env and cwd take {stringsLen} bytes; the limit is {MaxRequest - ExecHeaderSize}");
        var buf = new byte[ExecHeaderSize + stringsLen];
        var span = buf.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, MsgExec);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], execId);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], spec.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], spec.Gid);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)spec.Argv.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)spec.Env.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)stringsLen);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], tty ? ExecFlagTty : 0);
        int at = ExecHeaderSize;
        foreach (var s in strings)
        {
            at += Encoding.UTF8.GetBytes(s, span[at..]);
            buf[at++] = 0;
        }
        return buf;
    }

    public static byte[] EncodeSetSeccomp(byte[] program, bool notify)
    {
        var buf = new byte[8 + program.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(buf, notify ? MsgSetSeccompNotify : MsgSetSeccomp);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(4), (uint)program.Length);
        program.CopyTo(buf, 8);
        return buf;
    }

    /// <summary>The capabilities (bit n = capability n) commands run as uid 0 keep.</summary>
    public static byte[] EncodeSetRootCapabilities(ulong capabilities)
    {
        var buf = new byte[CapsSize];
        BinaryPrimitives.WriteUInt32LittleEndian(buf, MsgSetRootCaps);
        BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(8), capabilities);
        return buf;
    }

    /// <summary>Null when these sizes are the header's (native/init_proto.h, as libsbxnative was
    /// built with it), else which differ: a daemon and init that disagree must not start.</summary>
    public static unsafe string? NativeSizeMismatch()
    {
        uint* native = stackalloc uint[4];
        Interop.Native.InitProtocolSizes(native);
        (string Name, int Managed)[] mine = [("exec", ExecHeaderSize), ("kill", KillSize), ("event", EventSize), ("caps", CapsSize)];
        var wrong = mine.Select((m, i) => (m.Name, m.Managed, Native: native[i])).Where(m => m.Managed != m.Native)
            .Select(m => $"{m.Name}: {m.Managed} here, {m.Native} in init_proto.h").ToList();
        return wrong.Count == 0 ? null : "init protocol mirror out of date (" + string.Join("; ", wrong) + ")";
    }

    /// <summary>The first message of a restarted daemon on the socket it took from init.</summary>
    public static byte[] EncodeAdopt()
    {
        var buf = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(buf, MsgAdopt);
        return buf;
    }

    public static byte[] EncodeKill(uint execId, int signal)
    {
        var buf = new byte[KillSize];
        BinaryPrimitives.WriteUInt32LittleEndian(buf, MsgKill);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(4), execId);
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(8), signal);
        return buf;
    }

    public static InitEvent DecodeEvent(ReadOnlySpan<byte> b) => new(
        Type: BinaryPrimitives.ReadUInt32LittleEndian(b),
        ExecId: BinaryPrimitives.ReadUInt32LittleEndian(b[4..]),
        Pid: BinaryPrimitives.ReadInt32LittleEndian(b[8..]),
        WaitStatus: BinaryPrimitives.ReadInt32LittleEndian(b[12..]),
        Step: BinaryPrimitives.ReadInt32LittleEndian(b[16..]),
        Error: BinaryPrimitives.ReadInt32LittleEndian(b[20..]),
        UserCpuUs: BinaryPrimitives.ReadInt64LittleEndian(b[24..]),
        SystemCpuUs: BinaryPrimitives.ReadInt64LittleEndian(b[32..]),
        MaxRssKb: BinaryPrimitives.ReadInt64LittleEndian(b[40..]));
}
