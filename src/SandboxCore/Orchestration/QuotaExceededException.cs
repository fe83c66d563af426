namespace Sandboxd.Core.Orchestration;

/// <summary>A create past a tenant's quota or the host's admission limit (RESOURCE_EXHAUSTED):
/// names the quota, its value and how far over the create would take it.</summary>
public sealed class QuotaExceededException : Exception
{
    public QuotaExceededException(string message) : base(message) { }

    public QuotaExceededException() { }

    public QuotaExceededException(string message, Exception inner) : base(message, inner) { }
}
