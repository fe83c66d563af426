namespace Sandboxd.Isolation.Seccomp;

/// <summary>One condition on a syscall argument; all filters of a rule must hold for it to match.</summary>
/// <param name="Index">The argument, 0–5 (seccomp_data.args[Index]).</param>
/// <param name="Op">The comparison.</param>
/// <param name="Value">The value compared with (after masking for the masked ops).</param>
/// <param name="Mask">The bits compared for the masked ops; ignored otherwise.</param>
public sealed record ArgFilter(int Index, ArgOp Op, ulong Value, ulong Mask = ulong.MaxValue)
{
    /// <summary>The arguments seccomp_data carries.</summary>
    public const int MaxIndex = 5;

    /// <summary>arg == value.</summary>
    public static ArgFilter Equal(int index, ulong value) => new(index, ArgOp.Equal, value);

    /// <summary>arg != value.</summary>
    public static ArgFilter NotEqual(int index, ulong value) => new(index, ArgOp.NotEqual, value);

    /// <summary>(arg &amp; mask) == value.</summary>
    public static ArgFilter MaskedEqual(int index, ulong mask, ulong value) => new(index, ArgOp.MaskedEqual, value, mask);

    /// <summary>(arg &amp; mask) != 0: any of the mask bits is set.</summary>
    public static ArgFilter AnyBitSet(int index, ulong mask) => new(index, ArgOp.MaskedNotEqual, 0, mask);

    /// <summary>The low 32 bits equal value: for <c>int</c> arguments, whose upper half is not part
    /// of the value the kernel uses, so a caller cannot slip past by setting it.</summary>
    public static ArgFilter Equal32(int index, uint value) => new(index, ArgOp.MaskedEqual, value, uint.MaxValue);

    /// <summary>The low 32 bits differ from value (see <see cref="Equal32"/>).</summary>
    public static ArgFilter NotEqual32(int index, uint value) => new(index, ArgOp.MaskedNotEqual, value, uint.MaxValue);
}
