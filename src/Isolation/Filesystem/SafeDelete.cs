using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Recursive delete that never follows a symlink and never crosses into another mount:
/// a sandbox's upper dir may hold links to anywhere, and a delete across a bind mount deletes
/// the host.</summary>
public static class SafeDelete
{
    public static void Tree(string path)
    {
        if (Native.RemoveTree(path) != 0)
            throw new SandboxSetupException($"remove {path}", Marshal.GetLastPInvokeError(),
                "is something still mounted below it?");
    }
}
