namespace Sandboxd.Isolation.Launch;

/// <summary>What init reports about one command: started, failed to start, or exited.</summary>
public readonly record struct InitEvent(uint Type, uint ExecId, int Pid, int WaitStatus, int Step, int Error,
    long UserCpuUs, long SystemCpuUs, long MaxRssKb);
