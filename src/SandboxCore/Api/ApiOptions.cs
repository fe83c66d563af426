namespace Sandboxd.Core.Api;

public sealed class ApiOptions
{
    /// <summary>The bearer token a TCP caller must send ("authorization: Bearer …"). The Unix
    /// socket is guarded by its file mode instead. No token: no TCP caller gets in.</summary>
    public string? TcpToken { get; init; }
}
