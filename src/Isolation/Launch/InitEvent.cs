namespace Sandboxd.Isolation.Launch;

/// <summary>What init reports about one command: started, failed to start, or exited.</summary>
public readonly record struct InitEvent(uint Type, uint ExecId, int Pid, int WaitStatus, int Step, int Error,
    long UserCpuUs, long SystemCpuUs, long MaxRssKb)
{
    /// <summary>STARTED and NOTIFY_FD carry init's CLOCK_MONOTONIC stamps (ns) where EXITED has
    /// its rusage (init_proto.h, SBX_AT_*); a Stopwatch timestamp on Linux.</summary>
    public long At(int index) =>
        (long)((Int128)(index switch { 0 => UserCpuUs, 1 => SystemCpuUs, _ => MaxRssKb }) * System.Diagnostics.Stopwatch.Frequency / 1_000_000_000);
}
