using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Orchestration;

/// <summary>A finished command: how it ended, and what the sandbox's cgroup says caused it.</summary>
public sealed record CommandOutcome(string ExecutionId, ExecutionResult Result, bool OomKilled, bool PidsLimitHit);
