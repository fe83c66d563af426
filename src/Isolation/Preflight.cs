using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation;

/// <summary>What the host must offer before any sandbox is made.</summary>
public static class Preflight
{
    public static bool IsRoot() => Native.GetEuid() == 0;
}
