using System.Runtime.InteropServices;
using System.Text;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Launch;

/// <summary>Marshals a <see cref="LaunchSpec"/> into native memory (nothing is allocated after
/// clone()) and calls Sbx_Spawn. Returns the init's pid, or throws naming the failed step.</summary>
public static unsafe class NativeLauncher
{
    private static readonly Dictionary<int, string> StepNames = new()
    {
        [100] = "pipe", [101] = "clone", [102] = "set up fds", [103] = "setsid", [104] = "execve init", [105] = "reset signals",
        [106] = "wait for id maps", [107] = "become root of the user namespace", [108] = "write uid_map/gid_map",
        [109] = "join cgroup", [110] = "open the sandbox's user namespace", [111] = "open_tree(clone)",
        [112] = "mount_setattr(idmap)", [113] = "release the sandbox's setup",
    };

    public static int Spawn(LaunchSpec spec, int execFd, int controlFd)
    {
        using var arena = new NativeArena();
        var ops = (Native.SbxOp*)arena.Alloc(sizeof(Native.SbxOp) * Math.Max(1, spec.Ops.Count));
        for (int i = 0; i < spec.Ops.Count; i++)
        {
            var op = spec.Ops[i];
            ops[i] = new Native.SbxOp
            {
                Kind = (uint)op.Kind,
                Flags = op.Flags,
                Src = arena.Utf8(op.Src),
                Dst = arena.Utf8(op.Dst),
                FsType = arena.Utf8(op.FsType),
                Data = arena.Utf8(op.Data),
            };
        }
        var args = new Native.SbxSpawnArgs
        {
            CloneFlags = (ulong)spec.Namespaces,
            Ops = ops,
            OpCount = (uint)spec.Ops.Count,
            ExecFd = execFd,
            ControlFd = controlFd,
            Argv = arena.StringArray(spec.Argv),
            Envp = arena.StringArray(spec.Env),
            UidMap = arena.Utf8(spec.IdMap),
            GidMap = arena.Utf8(spec.IdMap),
            JoinFiles = spec.JoinFiles.Count > 0 ? arena.StringArray(spec.JoinFiles) : null,
            IdmapTrees = spec.IdmappedTrees.Count > 0 ? arena.StringArray(spec.IdmappedTrees) : null,
        };
        Native.SbxSpawnResult result;
        if (Native.Spawn(&args, &result) == 0)
            return result.Pid;
        throw ToException(spec, result);
    }

    private static SandboxSetupException ToException(LaunchSpec spec, Native.SbxSpawnResult r)
    {
        if (r.OpIndex >= 0 && r.OpIndex < spec.Ops.Count)
        {
            var op = spec.Ops[r.OpIndex];
            return new SandboxSetupException(op.Describe(), r.Error, op.Hint(r.Error));
        }
        var step = StepNames.TryGetValue(r.Step, out var name) ? name : $"step {r.Step}";
        if (r.Tree >= 0 && r.Tree < spec.IdmappedTrees.Count)
            step += " of " + spec.IdmappedTrees[r.Tree];
        var hint = (r.Step, r.Error) switch
        {
            (101, 1) => "creating namespaces needs root (CAP_SYS_ADMIN)",
            (112, 22) => "the filesystem does not support idmapped mounts (ext4, xfs, btrfs and tmpfs do), or a mount below it does not",
            (112 or 111, 1) => "idmapped mounts need root of the host (CAP_SYS_ADMIN in the initial user namespace)",
            _ => (string?)null,
        };
        return new SandboxSetupException(step, r.Error, hint);
    }

    /// <summary>Native allocations freed together once Sbx_Spawn returns.</summary>
    private sealed class NativeArena : IDisposable
    {
        private readonly List<nint> _blocks = [];

        public void* Alloc(int bytes)
        {
            var p = NativeMemory.AllocZeroed((nuint)bytes);
            _blocks.Add((nint)p);
            return p;
        }

        public byte* Utf8(string? s)
        {
            if (s is null)
                return null;
            if (s.Contains('\0', StringComparison.Ordinal))
                throw new ArgumentException("a setup string contains NUL");
            int n = Encoding.UTF8.GetByteCount(s);
            var p = (byte*)Alloc(n + 1);
            Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
            return p;
        }

        public byte** StringArray(IReadOnlyList<string> items)
        {
            var array = (byte**)Alloc(sizeof(byte*) * (items.Count + 1));
            for (int i = 0; i < items.Count; i++)
                array[i] = Utf8(items[i]);
            return array;
        }

        public void Dispose()
        {
            foreach (var p in _blocks)
                NativeMemory.Free((void*)p);
        }
    }
}
