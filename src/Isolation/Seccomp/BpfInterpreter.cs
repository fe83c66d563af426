using System.Buffers.Binary;

namespace Sandboxd.Isolation.Seccomp;

/// <summary>Runs a compiled seccomp program on one call the way the kernel's classic-BPF
/// interpreter does, for the opcodes <see cref="SeccompCompiler"/> emits. The seccomp listener
/// uses it to learn which verdict (which errno) the filter meant for a call it was sent; tests use
/// it to check verdicts for any (arch, nr, args) without root or i386 code. It also checks what the
/// kernel's verifier checks: every jump lands inside the program.</summary>
public static class BpfInterpreter
{
    public static uint Run(byte[] program, int nr, params ulong[] args) =>
        Run(program, SeccompData.AuditArchX8664, (uint)nr, args);

    public static uint Run(byte[] program, uint arch, uint nr, params ulong[] args) =>
        Run(BpfInstruction.Decode(program), Data(arch, nr, args));

    /// <summary>A struct seccomp_data for one call, as the kernel would fill it.</summary>
    public static byte[] Data(uint arch, uint nr, params ulong[] args)
    {
        var data = new byte[SeccompData.Size];
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan((int)SeccompData.NrOffset), nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan((int)SeccompData.ArchOffset), arch);
        for (var i = 0; i < args.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan((int)SeccompData.ArgLowOffset(i)), args[i]);
        return data;
    }

    /// <summary>The RET value the program reaches for <paramref name="seccompData"/> (a struct
    /// seccomp_data as the kernel fills it). Throws <see cref="InvalidOperationException"/> for a
    /// jump out of the program, an unknown opcode or a load past the data.</summary>
    public static uint Run(ReadOnlySpan<BpfInstruction> code, ReadOnlySpan<byte> seccompData)
    {
        if (seccompData.Length < SeccompData.Size)
            throw new ArgumentException($"seccomp_data is {SeccompData.Size} bytes, got {seccompData.Length}", nameof(seccompData));
        uint a = 0;
        var pc = 0;
        while (true)
        {
            if (pc < 0 || pc >= code.Length)
                throw new InvalidOperationException($"jump out of the program to {pc}");
            var insn = code[pc];
            switch (insn.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    if (insn.K > SeccompData.Size - sizeof(uint))
                        throw new InvalidOperationException($"load at offset {insn.K}, past seccomp_data, at {pc}");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(seccompData[(int)insn.K..]);
                    pc++;
                    break;
                case BpfInstruction.AndConstant:
                    a &= insn.K;
                    pc++;
                    break;
                case BpfInstruction.JumpAlways:
                    pc += 1 + (int)insn.K;
                    break;
                case BpfInstruction.JumpIfEqual:
                    pc += 1 + (a == insn.K ? insn.Jt : insn.Jf);
                    break;
                case BpfInstruction.JumpIfAnySet:
                    pc += 1 + ((a & insn.K) != 0 ? insn.Jt : insn.Jf);
                    break;
                case BpfInstruction.Return:
                    return insn.K;
                default:
                    throw new InvalidOperationException($"unexpected opcode 0x{insn.Code:x} at {pc}");
            }
        }
    }
}
