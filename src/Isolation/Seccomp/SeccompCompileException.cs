namespace Sandboxd.Isolation.Seccomp;

/// <summary>A profile that cannot become a BPF program: an unknown syscall, a bad argument
/// filter, or a program longer than the kernel accepts.</summary>
public sealed class SeccompCompileException : Exception
{
    public SeccompCompileException()
    {
    }

    public SeccompCompileException(string message)
        : base(message)
    {
    }

    public SeccompCompileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
