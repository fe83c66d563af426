using Grpc.Core;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Sandboxd.Core.Api;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.E2b.ControlPlane;

/// <summary>E2B's control plane on the orchestrator: create (templateID → profile or image,
/// timeout → TTL, metadata → labels, envVars → every process's environment), list, info, kill,
/// timeout, pause (the freezer) and connect/resume (unpause, or resume a stopped sandbox).
/// Every call runs as the X-API-KEY's principal, so tenancy, quotas and audit are the gRPC API's.</summary>
public sealed class E2bControlPlane(Orchestrator orchestrator, E2bGrants grants, E2bTemplates templates, TimeProvider clock)
{
    /// <summary>E2B's default when a create names no timeout: 15 s in its cloud; here 5 minutes,
    /// the SDK's own default, so a create without one does not vanish under a slow first call.</summary>
    private const long DefaultTimeoutSeconds = 300;

    private const int DefaultPage = 100, MaxPage = 1000;

    public async Task CreateAsync(HttpContext context)
    {
        var body = await E2bJson.ReadObjectAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (E2bJson.Bool(body, "autoPause") == true)
            throw new InvalidFieldException("autoPause", "not supported: a sandbox's timeout destroys it here (pause it explicitly)");
        string template = E2bJson.Text(body, "templateID") is { Length: > 0 } named ? named : E2bTemplates.Base;
        var create = templates.Apply(new CreateSandbox { TtlMs = (ulong)Seconds(body, "timeout", DefaultTimeoutSeconds) * 1000 }, template);
        create = create with { Labels = new Dictionary<string, string>(E2bJson.StringMap(body, "metadata") ?? []) };
        var env = E2bJson.StringMap(body, "envVars") ?? [];
        RequestChecks.Env(env);
        var sandbox = await orchestrator.CreateAsync(create).ConfigureAwait(false);
        // Governance: nothing was launched; the SDK reads the message of a 403.
        if (sandbox.State == SandboxState.PendingApproval)
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"this create is {sandbox.Record.Risk} risk and waits for approval: proposal {sandbox.ProposalId} is pending; reviewers vote with " +
                $"'sandboxctl governance approve {sandbox.ProposalId}', and the deciding vote creates the sandbox ('sandboxctl governance show {sandbox.ProposalId}' then names it)"));
        var grant = grants.Issue(sandbox.Id, CallCorrelation.Current!.Principal!, env, template);
        await E2bJson.WriteAsync(context.Response, 201, json => E2bSandboxJson.WriteCreated(json, sandbox, grant.AccessToken, template)).ConfigureAwait(false);
    }

    /// <summary>GET /sandboxes (v1: running ones) and /v2/sandboxes (state=running|paused,
    /// repeated or comma-separated; default both): metadata=k%3Dv%26… filters on labels, and
    /// limit/nextToken page in creation order, the next page's token in x-next-token.</summary>
    public Task ListAsync(HttpContext context, bool v2)
    {
        var query = context.Request.Query;
        var states = query["state"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet();
        if (states.Count == 0)
            states = v2 ? ["running", "paused"] : ["running"];
        var wanted = Metadata(query["metadata"].ToString());
        var all = orchestrator.List()
            .Where(s => E2bSandboxJson.Listed(s) && states.Contains(E2bSandboxJson.StateOf(s))
                && wanted.All(w => s.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
            .OrderBy(s => s.CreatedUnixMs).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        int limit = int.TryParse(query["limit"].ToString(), out int l) && l > 0 ? Math.Min(l, MaxPage) : DefaultPage;
        var after = PageToken.Parse(query["nextToken"].ToString());
        var page = all.Where(s => after is null || PageToken.After(s, after.Value)).Take(limit + 1).ToList();
        if (page.Count > limit)
        {
            page.RemoveAt(limit);
            context.Response.Headers["x-next-token"] = PageToken.Of(page[^1]);
        }
        return E2bJson.WriteAsync(context.Response, 200, json =>
        {
            json.WriteStartArray();
            foreach (var s in page)
                E2bSandboxJson.Write(json, s, null, grants.Find(s.Id)?.Template);
            json.WriteEndArray();
        });
    }

    public Task GetAsync(HttpContext context, string id)
    {
        var sandbox = Existing(id);
        var grant = grants.Find(id);
        return E2bJson.WriteAsync(context.Response, 200, json => E2bSandboxJson.Write(json, sandbox, grant?.AccessToken, grant?.Template));
    }

    public async Task KillAsync(HttpContext context, string id)
    {
        if (!await orchestrator.DestroyAsync(id).ConfigureAwait(false))
            throw new SandboxNotFoundException(id);
        grants.Forget(id);
        context.Response.StatusCode = 204;
    }

    /// <summary>The sandbox ends timeout seconds from now, earlier or later than before.</summary>
    public async Task SetTimeoutAsync(HttpContext context, string id)
    {
        var body = await E2bJson.ReadObjectAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        long seconds = E2bJson.Number(body, "timeout") ?? throw new InvalidFieldException("timeout", "required (seconds)");
        Existing(id);
        orchestrator.SetTtl(id, (ulong)Math.Max(1, seconds) * 1000);
        context.Response.StatusCode = 204;
    }

    /// <summary>POST /sandboxes/{id}/refreshes {duration}: at least that long from now.</summary>
    public async Task RefreshAsync(HttpContext context, string id)
    {
        var body = await E2bJson.ReadObjectAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        KeepAtLeast(Existing(id), Seconds(body, "duration", 60));
        context.Response.StatusCode = 204;
    }

    public Task PauseAsync(HttpContext context, string id)
    {
        var sandbox = Existing(id);
        if (E2bSandboxJson.StateOf(sandbox) == "paused")
            return E2bJson.WriteErrorAsync(context.Response, 409, $"sandbox {id} is already paused");
        orchestrator.Pause(id);
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>Connect: a running sandbox as it is (200), a paused one unpaused and a stopped one
    /// resumed (201), its TTL kept and, with a timeout, made to last at least that long.
    /// Legacy resume is the same but 409 for a sandbox that is not paused.</summary>
    public async Task ConnectAsync(HttpContext context, string id, bool resumeOnly)
    {
        var body = await E2bJson.ReadObjectAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var sandbox = Existing(id);
        int status = 200;
        if (sandbox.State == SandboxState.Paused)
        {
            sandbox = orchestrator.Unpause(id);
            status = 201;
        }
        else if (sandbox.State is SandboxState.Stopped)
        {
            sandbox = await orchestrator.ResumeAsync(id).ConfigureAwait(false);
            status = 201;
        }
        else if (resumeOnly)
        {
            await E2bJson.WriteErrorAsync(context.Response, 409, $"sandbox {id} is already running").ConfigureAwait(false);
            return;
        }
        if (E2bJson.Number(body, "timeout") is { } seconds && seconds > 0)
            sandbox = KeepAtLeast(sandbox, seconds);
        var grant = grants.Issue(id, CallCorrelation.Current!.Principal!);
        await E2bJson.WriteAsync(context.Response, status, json => E2bSandboxJson.WriteCreated(json, sandbox, grant.AccessToken, grant.Template)).ConfigureAwait(false);
    }

    /// <summary>One sample, now: CPU over the time since the sandbox's creation (E2B's are 5 s
    /// samples; this daemon keeps no history), memory and disk as the cgroup and limits say.</summary>
    public Task MetricsAsync(HttpContext context, string id)
    {
        var sandbox = Existing(id);
        var now = clock.GetUtcNow();
        int cpus = sandbox.Limits is { Cpus: > 0 } l ? (int)Math.Ceiling(l.Cpus) : Environment.ProcessorCount;
        double lifetimeNs = Math.Max(1, (now.ToUnixTimeMilliseconds() - sandbox.CreatedUnixMs) * 1e6);
        double cpuPct = sandbox.Usage is { } u ? Math.Min(100, (u.CpuUsageNanos ?? 0) / lifetimeNs / cpus * 100) : 0;
        // The sandbox's own disk, as df inside it would count it; a stopped one's is not mounted.
        var disk = orchestrator.TryGetVisible(id, out var live) ? LayerDiskUsage.Read(live.Launched.Layers.Upper) : null;
        return E2bJson.WriteAsync(context.Response, 200, json =>
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("timestamp", E2bSandboxJson.Iso(now.ToUnixTimeMilliseconds()));
            json.WriteNumber("timestampUnix", now.ToUnixTimeSeconds());
            json.WriteNumber("cpuCount", cpus);
            json.WriteNumber("cpuUsedPct", Math.Round(cpuPct, 2));
            json.WriteNumber("memUsed", sandbox.Usage?.MemoryCurrentBytes ?? 0);
            json.WriteNumber("memTotal", sandbox.Limits?.MemoryBytes ?? 0);
            json.WriteNumber("diskUsed", disk?.UsedBytes ?? 0);
            json.WriteNumber("diskTotal", disk?.TotalBytes ?? sandbox.Limits?.DiskBytes ?? 0);
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    /// <summary>The sandbox, if the caller may see it and it is not gone (else NOT_FOUND).</summary>
    private SandboxView Existing(string id)
    {
        var sandbox = orchestrator.Get(id);
        return E2bSandboxJson.Listed(sandbox) ? sandbox : throw new SandboxNotFoundException(id);
    }

    private SandboxView KeepAtLeast(SandboxView sandbox, long seconds)
    {
        long wanted = clock.GetUtcNow().ToUnixTimeMilliseconds() + seconds * 1000;
        return sandbox.DeadlineUnixMs > 0 && sandbox.DeadlineUnixMs < wanted ? orchestrator.SetTtl(sandbox.Id, (ulong)seconds * 1000) : sandbox;
    }

    private static long Seconds(JsonElement body, string name, long fallback) => E2bJson.Number(body, name) switch
    {
        null => fallback,
        <= 0 => throw new InvalidFieldException(name, "must be more than 0 seconds"),
        var s => s.Value,
    };

    /// <summary>The SDK's metadata filter: "k=v&amp;k2=v2" with each key and value URL-encoded.</summary>
    private static Dictionary<string, string> Metadata(string encoded)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in QueryHelpers.ParseQuery(encoded))
            pairs[Uri.UnescapeDataString(k)] = Uri.UnescapeDataString(v.ToString());
        return pairs;
    }

    /// <summary>Opaque to clients: the last sandbox of a page as "created:id", base64url.</summary>
    private static class PageToken
    {
        public static string Of(SandboxView s) =>
            Base64UrlEncode($"{s.CreatedUnixMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{s.Id}");

        public static (long Created, string Id)? Parse(string token)
        {
            if (token.Length == 0)
                return null;
            try
            {
                var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
                int colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && long.TryParse(text.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture, out long created))
                    return (created, text[(colon + 1)..]);
            }
            catch (FormatException)
            {
            }
            throw new InvalidFieldException("nextToken", "not a token this API returned");
        }

        public static bool After(SandboxView s, (long Created, string Id) token) =>
            s.CreatedUnixMs > token.Created || (s.CreatedUnixMs == token.Created && string.CompareOrdinal(s.Id, token.Id) > 0);

        private static string Base64UrlEncode(string text) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(text));
    }
}
