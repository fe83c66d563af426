using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Api;

namespace Sandboxd.Core.E2b.ControlPlane;

/// <summary>The control plane's routes, in both E2B's /sandboxes… and /v2/sandboxes… forms; each
/// call authenticated by X-API-KEY and run as that principal; failures as {"code", "message"}.</summary>
public static partial class ControlPlaneRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        foreach (var prefix in new[] { "/sandboxes", "/v2/sandboxes" })
        {
            bool v2 = prefix.StartsWith("/v2", StringComparison.Ordinal);
            routes.MapPost(prefix, c => Run(c, p => p.CreateAsync(c)));
            routes.MapGet(prefix, c => Run(c, p => p.ListAsync(c, v2)));
            routes.MapGet(prefix + "/{id}", (HttpContext c, string id) => Run(c, p => p.GetAsync(c, id)));
            routes.MapDelete(prefix + "/{id}", (HttpContext c, string id) => Run(c, p => p.KillAsync(c, id)));
            routes.MapPost(prefix + "/{id}/timeout", (HttpContext c, string id) => Run(c, p => p.SetTimeoutAsync(c, id)));
            routes.MapPost(prefix + "/{id}/refreshes", (HttpContext c, string id) => Run(c, p => p.RefreshAsync(c, id)));
            routes.MapPost(prefix + "/{id}/pause", (HttpContext c, string id) => Run(c, p => p.PauseAsync(c, id)));
            routes.MapPost(prefix + "/{id}/resume", (HttpContext c, string id) => Run(c, p => p.ConnectAsync(c, id, resumeOnly: true)));
            routes.MapPost(prefix + "/{id}/connect", (HttpContext c, string id) => Run(c, p => p.ConnectAsync(c, id, resumeOnly: false)));
            routes.MapGet(prefix + "/{id}/metrics", (HttpContext c, string id) => Run(c, p => p.MetricsAsync(c, id)));
        }
    }

    private static async Task Run(HttpContext context, Func<E2bControlPlane, Task> handle)
    {
        var services = context.RequestServices;
        var principal = services.GetRequiredService<E2bCallers>().ForKey(context.Request.Headers[E2bCallers.ApiKeyHeader].ToString());
        if (principal is null)
        {
            await E2bJson.WriteErrorAsync(context.Response, 401,
                "X-API-KEY is missing or not a principal's token (sandboxd.yaml principals[].tokens, or --token-file)").ConfigureAwait(false);
            return;
        }
        CallCorrelation.Current = E2bCallers.Correlation(principal, context.Request);
        try
        {
            await handle(services.GetRequiredService<E2bControlPlane>()).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            var error = E2bError.From(e);
            if (!error.IsKnown)
                LogFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger("sandboxd.e2b"), context.Request.Path, e);
            await E2bJson.WriteErrorAsync(context.Response, error.HttpStatus, error.Message).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 903, Level = LogLevel.Error, Message = "e2b control plane call {Path} failed")]
    private static partial void LogFailed(ILogger log, string path, Exception e);
}
