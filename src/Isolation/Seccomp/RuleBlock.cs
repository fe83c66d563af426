namespace Sandboxd.Isolation.Seccomp;

/// <summary>Builds the instructions of one rule: its argument checks, then its RET. A check that
/// fails jumps to the first instruction after the block (the next rule), so every jump is local
/// to the block and short; the block layout in <see cref="SeccompCompiler"/> never needs a jump
/// that spans other rules.</summary>
internal sealed class RuleBlock
{
    // Marks a jump target as "past the end of this block"; patched once the length is known.
    private const int Fail = -1;

    private readonly List<(ushort Code, int Jt, int Jf, uint K)> _code = [];

    public static List<BpfInstruction> Build(SyscallRule rule, uint returnValue)
    {
        var block = new RuleBlock();
        foreach (var filter in rule.Args)
            block.EmitCheck(filter);
        block.Emit(BpfInstruction.Return, 0, 0, returnValue);
        return block.Resolve(rule.Name);
    }

    private void EmitCheck(ArgFilter filter)
    {
        var low = SeccompData.ArgLowOffset(filter.Index);
        var high = SeccompData.ArgHighOffset(filter.Index);
        var mask = filter.Op is ArgOp.MaskedEqual or ArgOp.MaskedNotEqual ? filter.Mask : ulong.MaxValue;
        var value = filter.Value;
        var (maskHigh, maskLow) = ((uint)(mask >> 32), (uint)mask);
        var (valueHigh, valueLow) = ((uint)(value >> 32), (uint)value);

        switch (filter.Op)
        {
            case ArgOp.Equal or ArgOp.MaskedEqual:
                // Both halves must match; a half the mask leaves out always matches.
                if (maskHigh != 0)
                    EmitHalfMustEqual(high, maskHigh, valueHigh);
                if (maskLow != 0)
                    EmitHalfMustEqual(low, maskLow, valueLow);
                break;
            case ArgOp.NotEqual or ArgOp.MaskedNotEqual:
                EmitAnyHalfDiffers(high, maskHigh, valueHigh, low, maskLow, valueLow);
                break;
            default:
                throw new SeccompCompileException($"{filter.Op}: unknown argument comparison");
        }
    }

    private void EmitHalfMustEqual(uint offset, uint mask, uint value)
    {
        EmitLoadMasked(offset, mask);
        Emit(BpfInstruction.JumpIfEqual, 0, Fail, value);
    }

    // Matches when either half differs: a differing high half skips the low check and goes on
    // to the rule's next filter; an equal low half (after an equal high half) fails the rule.
    private void EmitAnyHalfDiffers(uint high, uint maskHigh, uint valueHigh, uint low, uint maskLow, uint valueLow)
    {
        if (maskHigh == 0 && maskLow == 0)
        {
            // (arg & 0) != 0 never holds (validation keeps the value inside the mask): the rule cannot match.
            Emit(BpfInstruction.JumpAlways, Fail, 0, 0);
            return;
        }

        if (maskHigh != 0)
        {
            EmitLoadMasked(high, maskHigh);
            if (maskLow == 0)
            {
                Emit(BpfInstruction.JumpIfEqual, Fail, 0, valueHigh);
                return;
            }

            var lowCheckLength = maskLow == uint.MaxValue ? 2 : 3;
            Emit(BpfInstruction.JumpIfEqual, 0, lowCheckLength, valueHigh);
        }

        EmitLoadMasked(low, maskLow);
        Emit(BpfInstruction.JumpIfEqual, Fail, 0, valueLow);
    }

    private void EmitLoadMasked(uint offset, uint mask)
    {
        Emit(BpfInstruction.LoadWordAbsolute, 0, 0, offset);
        if (mask != uint.MaxValue)
            Emit(BpfInstruction.AndConstant, 0, 0, mask);
    }

    private void Emit(ushort code, int jt, int jf, uint k) => _code.Add((code, jt, jf, k));

    private List<BpfInstruction> Resolve(string syscall)
    {
        var resolved = new List<BpfInstruction>(_code.Count);
        for (var i = 0; i < _code.Count; i++)
        {
            var (code, jt, jf, k) = _code[i];
            var toEnd = _code.Count - i - 1;
            if (code == BpfInstruction.JumpAlways)
            {
                // JA carries its distance in k (32 bits), not in jt.
                resolved.Add(new BpfInstruction(code, 0, 0, jt == Fail ? (uint)toEnd : k));
                continue;
            }

            resolved.Add(new BpfInstruction(code, Distance(jt, toEnd, syscall), Distance(jf, toEnd, syscall), k));
        }

        return resolved;
    }

    private static byte Distance(int target, int toEnd, string syscall)
    {
        var distance = target == Fail ? toEnd : target;
        if (distance > byte.MaxValue)
            throw new SeccompCompileException(
                $"{syscall}: too many argument filters in one rule (a conditional jump reaches at most 255 instructions)");
        return (byte)distance;
    }
}
