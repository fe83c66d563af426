using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

/// <summary>Mirrors the relay part of native/sbx.h (native/relay.c).</summary>
internal static unsafe partial class Native
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxEgressBudget
    {
        public ulong TotalBytes;
        public ulong MaxTotalBytes;
        public ulong BytesPerSecond;
        public ulong NextFreeNs;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxRelayResult
    {
        public ulong Up;
        public ulong Down;
        public int End;
        public int Error;
    }

    internal const int SBX_RELAY_CLOSED = 0, SBX_RELAY_STOPPED = 1, SBX_RELAY_OVER_TOTAL = 2, SBX_RELAY_FAILED = 3;

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_BudgetCharge")]
    internal static partial int BudgetCharge(SbxEgressBudget* budget, ulong bytes, ulong* waitNs);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RelayNew", SetLastError = true)]
    internal static partial nint RelayNew(int clientFd, int upstreamFd, SbxEgressBudget* budget, int holdUp);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RelayRun", SetLastError = true)]
    internal static partial int RelayRun(SafeHandle relay, SbxRelayResult* result);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RelayRelease")]
    internal static partial void RelayRelease(SafeHandle relay);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RelayStop")]
    internal static partial void RelayStop(SafeHandle relay);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_RelayFree")]
    internal static partial void RelayFree(nint relay);
}
