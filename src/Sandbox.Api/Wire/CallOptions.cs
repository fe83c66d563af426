namespace Sandboxd.Api.Wire;

/// <summary>What one client call needs besides its messages.</summary>
internal readonly record struct CallOptions(
    string Method,
    string Target,
    TimeSpan? Deadline,
    int MaxReceiveMessageSize,
    CancellationToken CancellationToken);
