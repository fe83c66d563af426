using System.Buffers.Binary;

namespace Sandboxd.Isolation.Seccomp;

/// <summary>One classic-BPF instruction, laid out as the kernel's <c>struct sock_filter</c>:
/// u16 code, u8 jt, u8 jf, u32 k — 8 bytes, little-endian on x86_64.</summary>
public readonly record struct BpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    /// <summary>sizeof(struct sock_filter).</summary>
    public const int Size = 8;

    // Opcodes from include/uapi/linux/filter.h, combined as the kernel's BPF_STMT/BPF_JUMP do.
    public const ushort LoadWordAbsolute = 0x20; // BPF_LD | BPF_W | BPF_ABS
    public const ushort AndConstant = 0x54;      // BPF_ALU | BPF_AND | BPF_K
    public const ushort JumpAlways = 0x05;       // BPF_JMP | BPF_JA
    public const ushort JumpIfEqual = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JumpIfAnySet = 0x45;     // BPF_JMP | BPF_JSET | BPF_K
    public const ushort Return = 0x06;           // BPF_RET | BPF_K

    /// <summary>Writes the instruction into the first 8 bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Code);
        destination[2] = Jt;
        destination[3] = Jf;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], K);
    }

    /// <summary>Reads one instruction from the first 8 bytes of <paramref name="source"/>.</summary>
    public static BpfInstruction ReadFrom(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(source),
        source[2],
        source[3],
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]));

    /// <summary>Splits a compiled program back into instructions (for tests and for showing a profile).</summary>
    public static BpfInstruction[] Decode(ReadOnlySpan<byte> program)
    {
        if (program.Length % Size != 0)
            throw new ArgumentException($"a BPF program is a multiple of {Size} bytes, got {program.Length}", nameof(program));
        var instructions = new BpfInstruction[program.Length / Size];
        for (var i = 0; i < instructions.Length; i++)
            instructions[i] = ReadFrom(program.Slice(i * Size, Size));
        return instructions;
    }
}
