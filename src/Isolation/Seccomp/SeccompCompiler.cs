namespace Sandboxd.Isolation.Seccomp;

/// <summary>Compiles a <see cref="SeccompProfile"/> into the seccomp-BPF program native code installs
/// with <c>seccomp(SECCOMP_SET_MODE_FILTER)</c>: an array of <c>struct sock_filter</c>, 8 bytes each,
/// little-endian.</summary>
/// <remarks>
/// Layout:
/// <code>
///   ld  [arch]                      ; any ABI but x86_64 (i386 int 0x80) → ArchMismatchAction
///   jeq AUDIT_ARCH_X86_64, 1, 0
///   ret ArchMismatchAction
///   ld  [nr]
///   jset 0x40000000, 0, 1           ; x32 calls arrive as x86_64 with this bit → ArchMismatchAction
///   ret ArchMismatchAction
///   per syscall (rules grouped by syscall, profile order kept within a syscall):
///     jeq nr, 0, len(body)          ; or, for a body longer than 255: jeq nr, 1, 0; ja len(body)
///     body: rule blocks (arg checks; ret action), then ret default if every rule had args
///   ret DefaultAction
/// </code>
/// Every conditional jump either skips its own syscall's body or stays inside one rule block, so
/// the 8-bit jt/jf never has to span other rules; a long body is skipped with JA (32-bit offset).
/// </remarks>
public static class SeccompCompiler
{
    /// <summary>Compiles <paramref name="profile"/>; throws <see cref="SeccompCompileException"/>
    /// for unknown syscalls, invalid filters, or a program over 4096 instructions.</summary>
    public static byte[] Compile(SeccompProfile profile) => Encode(CompileInstructions(profile));

    /// <summary>The bytes the kernel reads: one struct sock_filter per instruction.</summary>
    public static byte[] Encode(IReadOnlyList<BpfInstruction> instructions)
    {
        var program = new byte[instructions.Count * BpfInstruction.Size];
        for (var i = 0; i < instructions.Count; i++)
            instructions[i].WriteTo(program.AsSpan(i * BpfInstruction.Size));
        return program;
    }

    /// <summary>The program as instructions, before encoding.</summary>
    public static IReadOnlyList<BpfInstruction> CompileInstructions(SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var defaultReturn = ReturnValue(profile.DefaultAction, profile.DefaultErrno, "default action");
        var archReturn = ReturnValue(profile.ArchMismatchAction, profile.ArchMismatchErrno, "arch mismatch action");

        var program = new List<BpfInstruction>
        {
            new(BpfInstruction.LoadWordAbsolute, 0, 0, SeccompData.ArchOffset),
            new(BpfInstruction.JumpIfEqual, 1, 0, SeccompData.AuditArchX8664),
            new(BpfInstruction.Return, 0, 0, archReturn),
            new(BpfInstruction.LoadWordAbsolute, 0, 0, SeccompData.NrOffset),
            new(BpfInstruction.JumpIfAnySet, 0, 1, SyscallTable.X32SyscallBit),
            new(BpfInstruction.Return, 0, 0, archReturn),
        };

        foreach (var group in GroupBySyscall(profile.Rules))
        {
            var body = CompileBody(group.Rules, defaultReturn);
            if (body.Count <= byte.MaxValue)
            {
                program.Add(new BpfInstruction(BpfInstruction.JumpIfEqual, 0, (byte)body.Count, (uint)group.Number));
            }
            else
            {
                program.Add(new BpfInstruction(BpfInstruction.JumpIfEqual, 1, 0, (uint)group.Number));
                program.Add(new BpfInstruction(BpfInstruction.JumpAlways, 0, 0, (uint)body.Count));
            }

            program.AddRange(body);
        }

        program.Add(new BpfInstruction(BpfInstruction.Return, 0, 0, defaultReturn));

        if (program.Count > SeccompData.MaxInstructions)
            throw new SeccompCompileException(
                $"profile '{profile.Name}' compiles to {program.Count} BPF instructions; the kernel accepts at most {SeccompData.MaxInstructions}");
        return program;
    }

    /// <summary>The 32-bit word a RET instruction returns for an action: the SECCOMP_RET_* value,
    /// with the errno in the low 16 bits (SECCOMP_RET_DATA) for Errno.</summary>
    public static uint ReturnValue(SeccompAction action, int errno, string what = "action")
    {
        if (!Enum.IsDefined(action))
            throw new SeccompCompileException($"{what}: unknown seccomp action 0x{(uint)action:x8}");
        if (action != SeccompAction.Errno)
            return (uint)action;
        // The kernel caps a returned errno at MAX_ERRNO (4095); 0 would make the call "succeed".
        if (errno is < 1 or > 4095)
            throw new SeccompCompileException($"{what}: errno must be 1..4095, got {errno}");
        return (uint)action | (uint)errno;
    }

    private static List<BpfInstruction> CompileBody(List<SyscallRule> rules, uint defaultReturn)
    {
        var body = new List<BpfInstruction>();
        var unconditional = false;
        foreach (var rule in rules)
        {
            Validate(rule);
            body.AddRange(RuleBlock.Build(rule, ReturnValue(rule.Action, rule.Errno, rule.Name)));
            if (rule.Args.Count == 0)
            {
                // Later rules for this syscall can never be reached.
                unconditional = true;
                break;
            }
        }

        // Every rule had conditions and none held: the accumulator now holds an argument, not nr,
        // so rather than fall into the next syscall's comparison, answer with the default here.
        if (!unconditional)
            body.Add(new BpfInstruction(BpfInstruction.Return, 0, 0, defaultReturn));
        return body;
    }

    private static void Validate(SyscallRule rule)
    {
        foreach (var filter in rule.Args)
        {
            if (filter.Index is < 0 or > ArgFilter.MaxIndex)
                throw new SeccompCompileException($"{rule.Name}: argument index {filter.Index} is outside 0..{ArgFilter.MaxIndex}");
            var masked = filter.Op is ArgOp.MaskedEqual or ArgOp.MaskedNotEqual;
            if (masked && (filter.Value & ~filter.Mask) != 0)
                throw new SeccompCompileException(
                    $"{rule.Name}: arg{filter.Index} value 0x{filter.Value:x} has bits outside mask 0x{filter.Mask:x}");
        }
    }

    private static List<(int Number, List<SyscallRule> Rules)> GroupBySyscall(IReadOnlyList<SyscallRule> rules)
    {
        var groups = new List<(int Number, List<SyscallRule> Rules)>();
        var index = new Dictionary<int, int>();
        foreach (var rule in rules)
        {
            var number = SyscallTable.GetNumber(rule.Name);
            if (!index.TryGetValue(number, out var at))
            {
                at = groups.Count;
                index[number] = at;
                groups.Add((number, []));
            }

            groups[at].Rules.Add(rule);
        }

        return groups;
    }
}
