namespace Sandboxd.Core.Api;

public static class ApiLimits
{
    /// <summary>Largest message either way: larger ones fail with RESOURCE_EXHAUSTED. A command's
    /// output is streamed in chunks far below it; only a huge argv or policy comes near.</summary>
    public const int MaxMessageBytes = Sandboxd.Api.Client.SandboxdConnection.MaxMessageBytes;
}
