using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sandboxd.Core.Api;
using Sandboxd.Core.E2b.Connect;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>The in-sandbox agent's routes, for every sandbox on one listener: the SDK names the
/// sandbox in E2b-Sandbox-Id and proves it may reach it with X-Access-Token (the token the
/// create or connect returned); a file URL from uploadUrl/downloadUrl proves it with its
/// signature instead. The call then acts as the sandbox's owner, so the orchestrator's tenancy,
/// audit correlation and activity apply as to a gRPC call.</summary>
public static class EnvdRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/process.Process/{method}", (HttpContext c, string method) =>
            Guarded(c, () => c.RequestServices.GetRequiredService<EnvdProcess>().HandleAsync(c, method)));
        routes.MapPost("/filesystem.Filesystem/{method}", (HttpContext c, string method) =>
            Guarded(c, () => c.RequestServices.GetRequiredService<EnvdFilesystem>().HandleAsync(c, method)));
        routes.MapGet("/files", c => Guarded(c, () => c.RequestServices.GetRequiredService<EnvdFilesHttp>().ReadAsync(c), "read"));
        routes.MapPost("/files", c => Guarded(c, () => c.RequestServices.GetRequiredService<EnvdFilesHttp>().WriteAsync(c), "write"));
        routes.MapGet("/health", HealthAsync);
    }

    /// <summary>204 while the sandbox runs and the token is its own; 502 otherwise, as E2B's
    /// proxy answers for a sandbox that is gone or paused (the SDK's isRunning is false then).</summary>
    private static Task HealthAsync(HttpContext context)
    {
        var grant = Resolve(context, null, out _);
        if (grant is null)
            return Gone(context);
        var orchestrator = context.RequestServices.GetRequiredService<Orchestrator>();
        CallCorrelation.Current = E2bCallers.Correlation(grant.Owner, context.Request);
        if (!orchestrator.TryGetVisible(grant.SandboxId, out var live)
            || live.Record.State is not Sandboxd.Core.State.SandboxState.Running)
            return Gone(context);
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>Resolves the call's sandbox, then runs it as the sandbox's owner.</summary>
    private static Task Guarded(HttpContext context, Func<Task> handle, string? fileOperation = null)
    {
        var grant = Resolve(context, fileOperation, out bool wrongToken);
        if (grant is null)
        {
            return wrongToken
                ? E2bJson.WriteErrorAsync(context.Response, 401, "the access token (X-Access-Token or the URL's signature) is not this sandbox's")
                : Gone(context);
        }
        var orchestrator = context.RequestServices.GetRequiredService<Orchestrator>();
        CallCorrelation.Current = E2bCallers.Correlation(grant.Owner, context.Request);
        // A sandbox this daemon no longer has (killed, or its TTL passed) is gone, as the proxy says.
        if (!orchestrator.TryGetVisible(grant.SandboxId, out _) && !Stopped(orchestrator, grant.SandboxId))
        {
            context.RequestServices.GetRequiredService<E2bGrants>().Forget(grant.SandboxId);
            return Gone(context);
        }
        new EnvdCall(grant).Attach(context);
        return handle();
    }

    private static bool Stopped(Orchestrator orchestrator, string id)
    {
        try
        {
            return orchestrator.Get(id).State == Sandboxd.Core.State.SandboxState.Stopped;
        }
        catch (SandboxNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The grant of E2b-Sandbox-Id whose token the call presents; for a file route,
    /// also one whose token signed the URL (which then needs no header at all).</summary>
    private static E2bGrant? Resolve(HttpContext context, string? fileOperation, out bool wrongToken)
    {
        var grants = context.RequestServices.GetRequiredService<E2bGrants>();
        var request = context.Request;
        wrongToken = false;
        string signature = request.Query["signature"].ToString();
        if (fileOperation is not null && signature.Length > 0)
        {
            long? expires = long.TryParse(request.Query["signature_expiration"].ToString(), out long e) ? e : null;
            var signed = grants.BySignature(request.Query["path"].ToString(), fileOperation, request.Query["username"].ToString(), signature,
                expires, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            string named = request.Headers[EnvdCall.SandboxIdHeader].ToString();
            if (signed is not null && (named.Length == 0 || named == signed.SandboxId))
                return signed;
            wrongToken = true;
            return null;
        }
        var id = request.Headers[EnvdCall.SandboxIdHeader].ToString();
        if (id.Length == 0 || grants.Find(id) is not { } grant)
            return null;
        if (E2bGrants.TokenMatches(grant, request.Headers[EnvdCall.AccessTokenHeader].ToString()))
            return grant;
        wrongToken = true;
        return null;
    }

    private static Task Gone(HttpContext context)
    {
        var id = context.Request.Headers[EnvdCall.SandboxIdHeader].ToString();
        return E2bJson.WriteErrorAsync(context.Response, 502,
            id.Length == 0 ? "no sandbox named (E2b-Sandbox-Id)" : $"sandbox {id} is not running (killed, timed out, or never reached through this API)");
    }

    public static Task UnknownMethodAsync(HttpContext context, string service, string method) =>
        ConnectJson.WriteUnaryErrorAsync(context.Response, new E2bError(Grpc.Core.StatusCode.Unimplemented, $"{service}/{method} is not a method sandboxd serves"));
}
