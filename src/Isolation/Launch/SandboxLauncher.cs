using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Namespaces;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Isolation.Launch;

/// <summary>Creates sandboxes: lays out the host dirs, creates the cgroup, plans the root,
/// clones init through native code, applies rlimits and the syscall filter.</summary>
public sealed unsafe class SandboxLauncher : IDisposable
{
    private const ulong CloneNewCgroup = (ulong)NamespaceSet.Cgroup;
    private readonly string _stateDir;
    private readonly string _runtimeDir;
    private readonly string _defaultImage;
    private readonly ICgroupManager _cgroups;
    private readonly InitBinary _init;
    private readonly UidRangeAllocator _idRanges = new();

    public SandboxLauncher(string stateDir, string runtimeDir, ICgroupManager cgroups, string? initPath = null)
    {
        _stateDir = stateDir;
        _runtimeDir = runtimeDir;
        _cgroups = cgroups;
        TraversablePath.Own(stateDir, DefaultImage.RelativePath);
        TraversablePath.Own(runtimeDir, Path.GetRelativePath(runtimeDir, new SandboxPaths(stateDir, runtimeDir, "").Scratch));
        if ((InitProtocol.NativeSizeMismatch() ?? NativeAbi.SizeMismatch()) is { } mismatch)
            throw new SandboxSetupException(mismatch);
        _defaultImage = DefaultImage.Create(stateDir);
        _init = InitBinary.Load(initPath ?? InitBinary.DefaultPath);
        // Asked once: the kernel and the filesystems of the image and /usr do not change while
        // the daemon runs. Without them sandboxes run as before (doctor warns).
        IdmapUnavailable = IdmappedMounts.WhyNot(_defaultImage) ?? IdmappedMounts.WhyNot("/usr");
    }

    public ICgroupManager Cgroups => _cgroups;

    /// <summary>Null when user-namespace sandboxes get idmapped lower layers (root inside owns the
    /// image's files), else why not: they fall back to an image owned by ids they do not map.</summary>
    public string? IdmapUnavailable { get; }

    public SandboxPaths PathsFor(string id) => new(_stateDir, _runtimeDir, id);

    /// <summary>Reserves the id range a stopped sandbox's files are owned by, so that no other
    /// sandbox gets it before it resumes (at daemon start, for the stopped ones on record).</summary>
    public void ClaimIdRange(uint rangeBase) => _idRanges.Claim(rangeBase);

    /// <summary>Removes what a stopped sandbox kept: its disk image and its id range.</summary>
    public void DeleteKept(string id, uint? idRangeBase)
    {
        SandboxDisk.Delete(PathsFor(id));
        if (idRangeBase is { } range)
            _idRanges.Release(range);
    }

    public LaunchedSandbox Launch(SandboxSpec spec)
    {
        var paths = PathsFor(spec.Id);
        ICgroup? cgroup = null;
        bool userns = spec.Profile.UserNamespace;
        // A resumed sandbox's range stays its own (reserved) whatever happens here.
        bool newRange = userns && spec.IdRangeBase is null;
        uint? idRange = userns ? spec.IdRangeBase ?? _idRanges.Allocate() : null;
        uint? ownRange = idRange;
        int* sv = stackalloc int[2];
        Microsoft.Win32.SafeHandles.SafeFileHandle? disk = null;
        try
        {
            if (!spec.KeptDisk)
                SandboxDisk.Create(paths, spec.DiskBytes, idRange ?? 0);
            disk = SandboxDisk.Open(paths);
            cgroup = _cgroups.Create(CgroupName.For(spec.Id), spec.Limits);
            // The cgroup namespace is unshared by the child once it is in its cgroup, so the
            // sandbox sees its own cgroup as the root. In a user namespace the child may not
            // write the host's cgroupfs: the parent joins it before releasing it.
            var ops = userns ? [new SetupOp(SetupOpKind.Unshare, Flags: CloneNewCgroup)] : JoinCgroupOps(cgroup);
            var image = spec.Image ?? _defaultImage;
            bool idmapped = userns && IdmapUnavailable is null;
            ops.AddRange(RootfsPlanner.Plan(paths, image, spec.Image is null, spec.Hostname,
                spec.DiskBytes, TmpSize.For(spec.DiskBytes, spec.Limits.MemoryBytes), userns, sendUpperToDaemon: true, idmappedLowers: idmapped,
                diskFd: (int)disk.DangerousGetHandle(), keptDisk: spec.KeptDisk));
            var namespaces = (NamespaceSet.Standard & ~NamespaceSet.Cgroup) | (userns ? NamespaceSet.User : NamespaceSet.None);
            var launch = new LaunchSpec(namespaces, ops, ["sbx-init"], ["PATH=/usr/bin:/bin"])
            {
                IdMap = idRange is { } b ? UidRangeAllocator.MapFor(b) : null,
                JoinFiles = userns ? cgroup.ProcsFiles : [],
                IdmappedTrees = idmapped ? RootfsPlanner.IdmappedTrees(image, spec.Image is null) : [],
            };
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
            // Read before the channel's receive thread starts: the child sent it before execve.
            var upper = ReceiveUpperDir(pid, sv[0]);
            // The child attached its own copy of the disk's mount; this one is not needed.
            disk.Dispose();
            var sandbox = new LaunchedSandbox(paths, pid, new InitChannel(sv[0]), cgroup, new OverlayLayers(upper, image),
                ownRange is { } range ? () => _idRanges.Release(range) : null, ownRange);
            idRange = null;
            try
            {
                ApplyRlimits(pid, spec.Profile.Rlimits);
                sandbox.Channel.SetSeccomp(spec.Profile.SeccompProgram, spec.Profile.NotifiesDaemon ? spec.Profile.SeccompFilter : null);
                // Only over its own user namespace: without one, root inside is the host's root.
                if (userns && spec.Profile.RootCapabilityMask != 0)
                    sandbox.Channel.SetRootCapabilities(spec.Profile.RootCapabilityMask);
            }
            catch
            {
                sandbox.Destroy();
                throw;
            }
            return sandbox;
        }
        catch
        {
            disk?.Dispose();
            cgroup?.Dispose();
            if (newRange && idRange is { } unused)
                _idRanges.Release(unused);
            // A new sandbox's disk goes with its failed create; a resumed one's keeps its files.
            if (!spec.KeptDisk)
                SandboxDisk.Delete(paths);
            throw;
        }
    }

    /// <summary>The fd the SendDir op put on the control socket. A child that exec'd has sent it.</summary>
    private static SafeFileHandle ReceiveUpperDir(int pid, int sock)
    {
        ulong tag = 0;
        int fd = -1, count = 0;
        int n = Native.RecvWithFds(sock, (byte*)&tag, sizeof(ulong), &fd, 1, &count, 5000);
        int errno = Marshal.GetLastPInvokeError();
        if (n == sizeof(ulong) && count == 1 && tag == RootfsPlanner.UpperDirTag)
            return new SafeFileHandle(fd, ownsHandle: true);
        if (count == 1)
            Native.Close(fd);
        Native.Kill(pid, Native.SIGKILL);
        Native.WaitPid(pid, null, 0);
        Native.Close(sock);
        throw new SandboxSetupException("receive the writable layer from the sandbox", n == -1 ? errno : Errno.EPROTO);
    }

    private static List<SetupOp> JoinCgroupOps(ICgroup cgroup)
    {
        var ops = cgroup.ProcsFiles.Select(f => new SetupOp(SetupOpKind.WriteFile, Src: "0", Dst: f)).ToList();
        ops.Add(new SetupOp(SetupOpKind.Unshare, Flags: CloneNewCgroup));
        return ops;
    }

    /// <summary>Set on init, inherited by every command it forks.</summary>
    private static void ApplyRlimits(int pid, IReadOnlyList<RlimitSetting> rlimits)
    {
        foreach (var r in rlimits)
        {
            var limit = new Native.RLimit { Current = r.Soft, Max = r.Hard };
            if (Native.PrLimit(pid, (int)r.Resource, &limit, null) == -1)
                throw new SandboxSetupException($"prlimit {r.Resource}", Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose() => _init.Dispose();
}
