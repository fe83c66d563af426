namespace Sandboxd.Isolation.Seccomp;

/// <summary>A profile compiled so that its denials reach the daemon: the installed program sends
/// every call the profile refuses to the seccomp listener (SECCOMP_RET_USER_NOTIF), and the listener
/// asks <see cref="ErrnoFor"/> which errno the profile meant, by running the plain program (the one
/// with SECCOMP_RET_ERRNO verdicts) on the same seccomp_data. Both programs are one compilation of
/// the same rules that differ only in RET values, so their paths agree for every call.</summary>
/// <remarks>If the listener is gone (the daemon died), the kernel fails notified calls with ENOSYS:
/// a denied call stays denied, only with another errno.</remarks>
public sealed class NotifyingFilter
{
    // SECCOMP_RET_ACTION_FULL and SECCOMP_RET_DATA.
    private const uint ActionMask = 0xffff0000;
    private const uint DataMask = 0x0000ffff;

    private readonly BpfInstruction[] _plain;

    private NotifyingFilter(byte[] program, BpfInstruction[] plain)
    {
        Program = program;
        _plain = plain;
    }

    /// <summary>The program to install (with SECCOMP_FILTER_FLAG_NEW_LISTENER).</summary>
    public byte[] Program { get; }

    public static NotifyingFilter Compile(SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var plain = SeccompCompiler.CompileInstructions(profile);
        var notifying = SeccompCompiler.CompileInstructions(profile.WithDenialsNotified());
        AssertSamePaths(profile.Name, plain, notifying);
        return new NotifyingFilter(SeccompCompiler.Encode(notifying), [.. plain]);
    }

    /// <summary>For a call the installed program sent to the listener: 0 when the profile audits it
    /// (let it run), otherwise the errno the profile refuses it with. Fails closed: anything but an
    /// audit or an errno verdict (which the installed program never notifies) answers EPERM.</summary>
    public int ErrnoFor(ReadOnlySpan<byte> seccompData)
    {
        uint verdict;
        try
        {
            verdict = BpfInterpreter.Run(_plain, seccompData);
        }
        catch (InvalidOperationException)
        {
            return Errno.EPERM;
        }

        return (verdict & ActionMask) switch
        {
            (uint)SeccompAction.UserNotif => 0,
            (uint)SeccompAction.Errno when (verdict & DataMask) != 0 => (int)(verdict & DataMask),
            _ => Errno.EPERM,
        };
    }

    /// <summary>The listener trusts that the plain program decides exactly like the installed one;
    /// that holds only while the action changes RET values and nothing else. Checked once per profile.</summary>
    private static void AssertSamePaths(string name, IReadOnlyList<BpfInstruction> plain, IReadOnlyList<BpfInstruction> notifying)
    {
        var same = plain.Count == notifying.Count;
        for (var i = 0; same && i < plain.Count; i++)
            same = plain[i].Code == notifying[i].Code && (plain[i].Code == BpfInstruction.Return || plain[i] == notifying[i]);
        if (!same)
            throw new SeccompCompileException($"profile '{name}': the notifying program does not follow the plain program's paths");
    }
}
