using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

/// <summary>Mirrors native/sbx.h. Sizes are checked at startup against the C side's (<see cref="NativeAbi"/>).</summary>
internal static unsafe partial class Native
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxOp
    {
        public uint Kind;
        public uint Reserved;
        public ulong Flags;
        public byte* Src;
        public byte* Dst;
        public byte* FsType;
        public byte* Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxSpawnArgs
    {
        public ulong CloneFlags;
        public SbxOp* Ops;
        public uint OpCount;
        public int ExecFd;
        public int ControlFd;
        public int Reserved;
        public byte** Argv;
        public byte** Envp;
        public byte* UidMap;
        public byte* GidMap;
        public byte** JoinFiles;
        public byte** IdmapTrees;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxSpawnResult
    {
        public int Pid;
        public int OpIndex;
        public int Step;
        public int Error;
        public int Tree;
    }

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_Spawn", SetLastError = true)]
    internal static partial int Spawn(SbxSpawnArgs* args, SbxSpawnResult* result);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_ProbeIdmap", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ProbeIdmap(string path, int* step);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_OpenDisk", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenDisk(string path, int* step);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_SendWithFds", SetLastError = true)]
    internal static partial int SendWithFds(int sock, byte* buf, uint len, int* fds, int fdCount);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RecvWithFds", SetLastError = true)]
    internal static partial int RecvWithFds(int sock, byte* buf, uint len, int* fds, int maxFds, int* fdCount, int timeoutMs);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_NotifRecv", SetLastError = true)]
    internal static partial int NotifRecv(int listener, ulong* id, int* pid, byte* seccompData);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_NotifSyncWakeUp", SetLastError = true)]
    internal static partial int NotifSyncWakeUp(int listener);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_NotifDeny", SetLastError = true)]
    internal static partial int NotifDeny(int listener, ulong id, int errno);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_NotifContinue", SetLastError = true)]
    internal static partial int NotifContinue(int listener, ulong id);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RemoveTree", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int RemoveTree(string path);
}
