namespace Sandboxd.Isolation.Seccomp;

/// <summary>Offsets into the kernel's <c>struct seccomp_data</c>, the packet a seccomp filter reads,
/// and the architecture tokens it carries.</summary>
public static class SeccompData
{
    /// <summary>sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6]
    /// (SBX_SECCOMP_DATA_SIZE in native/sbx.h).</summary>
    public const int Size = 64;

    public const uint NrOffset = 0;
    public const uint ArchOffset = 4;
    public const uint InstructionPointerOffset = 8;
    public const uint ArgsOffset = 16;

    /// <summary>AUDIT_ARCH_X86_64 (EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE).</summary>
    public const uint AuditArchX8664 = 0xC000003E;

    /// <summary>AUDIT_ARCH_I386: what an <c>int 0x80</c> call from a 64-bit process reports.</summary>
    public const uint AuditArchI386 = 0x40000003;

    /// <summary>BPF_MAXINSNS: the kernel refuses longer filters with EINVAL.</summary>
    public const int MaxInstructions = 4096;

    /// <summary>The offset of the low 32-bit word of args[index]; x86_64 is little-endian, so the
    /// low word comes first and the high word is 4 bytes later.</summary>
    public static uint ArgLowOffset(int index) => ArgsOffset + (8 * (uint)index);

    /// <summary>The offset of the high 32-bit word of args[index].</summary>
    public static uint ArgHighOffset(int index) => ArgLowOffset(index) + 4;
}
