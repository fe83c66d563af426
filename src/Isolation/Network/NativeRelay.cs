using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Network;

/// <summary>One tunnel's native splice relay (native/relay.c), run on a relay thread: the loop
/// blocks in poll, so it must not sit on a thread-pool thread. Release and Stop are safe from any
/// thread while it runs.</summary>
internal sealed class NativeRelay : SafeHandle
{
    public NativeRelay()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <param name="holdUp">The client's bytes wait for <see cref="Release"/> while the caller
    /// inspects the first of them; the upstream's flow at once (server-speaks-first protocols).</param>
    public static unsafe NativeRelay Start(Socket client, Socket upstream, EgressBudget budget, bool holdUp,
        out Task<RelayOutcome> completion)
    {
        var relay = new NativeRelay();
        var pointer = Native.RelayNew((int)client.Handle, (int)upstream.Handle, budget.Pointer, holdUp ? 1 : 0);
        if (pointer == 0)
            throw new IOException($"egress relay: setup failed ({Errno.Name(Marshal.GetLastPInvokeError())})");
        relay.SetHandle(pointer);
        // Held until the loop returns, so disposing a socket can never close an fd the loop still
        // polls (a reused number would be relayed to).
        var clientAdded = false;
        var upstreamAdded = false;
        client.SafeHandle.DangerousAddRef(ref clientAdded);
        upstream.SafeHandle.DangerousAddRef(ref upstreamAdded);
        // The tunnel's end (its event, closing the sockets) runs on the relay thread as its
        // continuation: short, non-blocking work that would otherwise cost a thread-pool wake-up
        // per connection, competing with the next connection's setup on a small machine.
        var done = new TaskCompletionSource<RelayOutcome>();
        RelayThreads.Run(() =>
        {
            RelayOutcome outcome;
            try
            {
                outcome = relay.Run();
            }
            finally
            {
                client.SafeHandle.DangerousRelease();
                upstream.SafeHandle.DangerousRelease();
                GC.KeepAlive(budget); // its cell is what the loop charged
            }
            done.SetResult(outcome);
        });
        completion = done.Task;
        return relay;
    }

    public void Release() => Native.RelayRelease(this);

    public void Stop() => Native.RelayStop(this);

    private unsafe RelayOutcome Run()
    {
        Native.SbxRelayResult result;
        Native.RelayRun(this, &result);
        return new RelayOutcome((long)result.Up, (long)result.Down, result.End == Native.SBX_RELAY_OVER_TOTAL);
    }

    protected override bool ReleaseHandle()
    {
        Native.RelayFree(handle);
        return true;
    }
}
