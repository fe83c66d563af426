namespace Sandboxd.Isolation.Profiles;

/// <summary>Linux RLIMIT_* numbers.</summary>
public enum RlimitResource
{
    Cpu = 0,
    FileSize = 1,
    Data = 2,
    Stack = 3,
    Core = 4,
    NoFile = 7,
    MemLock = 8,
}
