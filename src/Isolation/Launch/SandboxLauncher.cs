using System.Runtime.InteropServices;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Namespaces;

namespace Sandboxd.Isolation.Launch;

/// <summary>Creates sandboxes: lays out the host dirs, plans the root, clones init through
/// native code and connects its control channel.</summary>
public sealed unsafe class SandboxLauncher : IDisposable
{
    private readonly string _stateDir;
    private readonly string _runtimeDir;
    private readonly string _defaultImage;
    private readonly InitBinary _init;

    public SandboxLauncher(string stateDir, string runtimeDir, string? initPath = null)
    {
        _stateDir = stateDir;
        _runtimeDir = runtimeDir;
        Directory.CreateDirectory(Path.Combine(stateDir, "sandboxes"));
        Directory.CreateDirectory(Path.Combine(runtimeDir, "sandboxes"));
        _defaultImage = DefaultImage.Create(stateDir);
        _init = InitBinary.Load(initPath ?? InitBinary.DefaultPath);
    }

    public SandboxPaths PathsFor(string id) => new(_stateDir, _runtimeDir, id);

    public LaunchedSandbox Launch(SandboxSpec spec)
    {
        var paths = PathsFor(spec.Id);
        Directory.CreateDirectory(paths.Upper);
        Directory.CreateDirectory(paths.Work);
        Directory.CreateDirectory(paths.Root);
        int* sv = stackalloc int[2];
        try
        {
            var ops = RootfsPlanner.Plan(paths, spec.Image ?? _defaultImage, spec.Image is null, spec.Hostname, spec.TmpSize);
            var launch = new LaunchSpec(NamespaceSet.Standard, ops, ["sbx-init"], ["PATH=/usr/bin:/bin"]);
            if (Native.SocketPair(Native.AF_UNIX, Native.SOCK_SEQPACKET | Native.SOCK_CLOEXEC, 0, sv) == -1)
                throw new SandboxSetupException("socketpair for init", Marshal.GetLastPInvokeError());
            int pid;
            try
            {
                pid = NativeLauncher.Spawn(launch, _init.Fd, sv[1]);
            }
            catch
            {
                Native.Close(sv[0]);
                throw;
            }
            finally
            {
                Native.Close(sv[1]);
            }
            return new LaunchedSandbox(paths, pid, new InitChannel(sv[0]));
        }
        catch
        {
            RemoveDirs(paths);
            throw;
        }
    }

    /// <summary>Removes what Launch made on the host. Called only once init is reaped, when
    /// no mount of the sandbox is left.</summary>
    public static void RemoveDirs(SandboxPaths paths)
    {
        SafeDelete.Tree(paths.SandboxStateDir);
        SafeDelete.Tree(paths.SandboxRuntimeDir);
    }

    public void Dispose() => _init.Dispose();
}
