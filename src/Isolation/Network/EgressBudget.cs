using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Network;

/// <summary>A sandbox's byte budget in native memory, shared by all of its relays: the running
/// total, the total-bytes limit and the bytes-per-second rate every connection together keeps to.
/// Freed only after the last relay using it has returned.</summary>
internal sealed class EgressBudget : IDisposable
{
    private unsafe Native.SbxEgressBudget* _budget =
        (Native.SbxEgressBudget*)NativeMemory.AlignedAlloc((nuint)sizeof(Native.SbxEgressBudget), 8);

    public unsafe EgressBudget(EgressPolicy policy)
    {
        *_budget = default;
        Apply(policy);
    }

    internal unsafe Native.SbxEgressBudget* Pointer => _budget;

    public unsafe long TotalBytes => (long)Volatile.Read(ref _budget->TotalBytes);

    /// <summary>Takes effect for the next chunk of every relay. A changed rate starts a fresh
    /// schedule; chunks already waiting keep the slot they reserved.</summary>
    public unsafe void Apply(EgressPolicy policy)
    {
        if (_budget == null)
            return; // an update racing the detach: nothing is relayed any more
        Volatile.Write(ref _budget->MaxTotalBytes, (ulong)Math.Max(0, policy.MaxTotalBytes));
        var rate = (ulong)Math.Max(0, policy.MaxBytesPerSecond);
        if (Interlocked.Exchange(ref _budget->BytesPerSecond, rate) != rate)
            Volatile.Write(ref _budget->NextFreeNs, 0);
    }

    /// <summary>Counts bytes the daemon moved itself and waits for the rate's slot for them.
    /// False once the total-bytes limit is passed.</summary>
    public async ValueTask<bool> ChargeAsync(long bytes, CancellationToken cancellationToken)
    {
        var (withinTotal, waitNs) = Charge(bytes);
        if (waitNs > 0)
            await Task.Delay(TimeSpan.FromTicks((long)(waitNs / 100)), cancellationToken);
        return withinTotal;
    }

    private unsafe (bool WithinTotal, ulong WaitNs) Charge(long bytes)
    {
        ulong waitNs;
        var within = Native.BudgetCharge(_budget, (ulong)bytes, &waitNs) != 0;
        return (within, waitNs);
    }

    public unsafe void Dispose()
    {
        NativeMemory.AlignedFree(_budget);
        _budget = null;
    }
}
