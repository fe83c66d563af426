using System.Buffers.Binary;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Tests.Seccomp;

/// <summary>Runs a compiled seccomp program on one syscall the way the kernel's classic-BPF
/// interpreter would, so the verdict for any (arch, nr, args) is testable without root or i386
/// code. It also checks what the kernel's verifier checks: every jump lands inside the program.</summary>
internal static class BpfEmulator
{
    public static uint Run(byte[] program, int nr, params ulong[] args) =>
        Run(program, SeccompData.AuditArchX8664, (uint)nr, args);

    public static uint Run(byte[] program, uint arch, uint nr, params ulong[] args)
    {
        var data = new byte[64]; // struct seccomp_data: nr, arch, instruction_pointer, args[6]
        BinaryPrimitives.WriteUInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), arch);
        for (var i = 0; i < args.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16 + (8 * i)), args[i]);

        var code = BpfInstruction.Decode(program);
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
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)insn.K));
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
