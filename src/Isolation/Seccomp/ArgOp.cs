namespace Sandboxd.Isolation.Seccomp;

/// <summary>How an <see cref="ArgFilter"/> compares a 64-bit syscall argument.</summary>
public enum ArgOp
{
    /// <summary>arg == Value (all 64 bits; use <see cref="MaskedEqual"/> with mask 0xffffffff
    /// for an <c>int</c> argument, whose upper half the kernel ignores and a caller may fill).</summary>
    Equal = 0,

    /// <summary>arg != Value (all 64 bits).</summary>
    NotEqual = 1,

    /// <summary>(arg &amp; Mask) == Value: "exactly these bits of the masked field".</summary>
    MaskedEqual = 2,

    /// <summary>(arg &amp; Mask) != Value; with Value 0 this is "has any of the Mask bits set".</summary>
    MaskedNotEqual = 3,
}
