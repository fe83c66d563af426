using System.Runtime.CompilerServices;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Network;

/// <summary>A sandbox's byte budget, shared with all of its native relays: the running
/// total, the total-bytes limit and the bytes-per-second rate every connection together keeps to.
/// It lives on the pinned heap, never moved and never freed by hand: it goes with the last
/// reference (the proxy's, a running relay's), so no free can race a policy update or a relay.</summary>
internal sealed class EgressBudget
{
    private readonly Native.SbxEgressBudget[] _cell = GC.AllocateArray<Native.SbxEgressBudget>(1, pinned: true);

    public EgressBudget(EgressPolicy policy) => Apply(policy);

    internal unsafe Native.SbxEgressBudget* Pointer => (Native.SbxEgressBudget*)Unsafe.AsPointer(ref _cell[0]);

    private ref Native.SbxEgressBudget Cell => ref _cell[0];

    public long TotalBytes => (long)Volatile.Read(ref Cell.TotalBytes);

    /// <summary>Takes effect for the next chunk of every relay. A changed rate starts a fresh
    /// schedule; chunks already waiting keep the slot they reserved.</summary>
    public void Apply(EgressPolicy policy)
    {
        Volatile.Write(ref Cell.MaxTotalBytes, (ulong)Math.Max(0, policy.MaxTotalBytes));
        var rate = (ulong)Math.Max(0, policy.MaxBytesPerSecond);
        if (Interlocked.Exchange(ref Cell.BytesPerSecond, rate) != rate)
            Volatile.Write(ref Cell.NextFreeNs, 0);
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
        var within = Native.BudgetCharge(Pointer, (ulong)bytes, &waitNs) != 0;
        return (within, waitNs);
    }
}
