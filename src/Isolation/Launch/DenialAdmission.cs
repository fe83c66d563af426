namespace Sandboxd.Isolation.Launch;

/// <summary>What <see cref="DenialRateLimit"/> says about one denied call.</summary>
public enum DenialAdmission
{
    /// <summary>Record it as an event of its own.</summary>
    Record,

    /// <summary>Only count it.</summary>
    Suppress,

    /// <summary>Count it, and it is time to record how many were suppressed so far.</summary>
    Summarize,
}
