using System.Globalization;
using System.Text.Json;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;

namespace Sandboxd.Core.E2b.ControlPlane;

/// <summary>A sandbox as E2B's API shows it (ListedSandbox / SandboxDetail / Sandbox).</summary>
public static class E2bSandboxJson
{
    /// <summary>The envd version this listener speaks: at or past the SDK's checks for watch
    /// events with entries (0.6.3) and on network mounts (0.6.4, no different here), octet-stream
    /// uploads (0.5.7), closeStdin (0.5.2) and its default user (0.4.0). File metadata (0.6.2)
    /// is not kept.</summary>
    public const string EnvdVersion = "0.6.4";

    public const string ClientId = "sandboxd";

    /// <summary>E2B's template: the one the create named when this listener made it, else the
    /// image (a name or a path), the profile, or "base" for the default image and profile.</summary>
    public static string TemplateOf(SandboxView s, string? named = null) =>
        named ?? (s.Image.Length > 0 ? s.Image : s.Profile is "" or "default" ? E2bTemplates.Base : s.Profile);

    /// <summary>running, or paused (frozen or stopped: both keep their files and resume on connect).</summary>
    public static string StateOf(SandboxView s) => s.State is SandboxState.Paused or SandboxState.Stopped or SandboxState.Stopping ? "paused" : "running";

    /// <summary>What E2B lists: running and paused ones; destroyed and failed ones are gone.</summary>
    public static bool Listed(SandboxView s) => s.State is not (SandboxState.Destroyed or SandboxState.Destroying or SandboxState.Failed);

    public static void Write(Utf8JsonWriter json, SandboxView s, string? accessToken, string? template = null)
    {
        json.WriteStartObject();
        json.WriteString("sandboxID", s.Id);
        json.WriteString("templateID", TemplateOf(s, template));
        json.WriteString("clientID", ClientId);
        json.WriteString("alias", TemplateOf(s, template));
        json.WriteString("startedAt", Iso(s.CreatedUnixMs));
        // No TTL: as far off as a date goes, so "endAt" never looks past.
        json.WriteString("endAt", s.DeadlineUnixMs > 0 ? Iso(s.DeadlineUnixMs) : "9999-12-31T23:59:59.000Z");
        json.WriteNumber("cpuCount", s.Limits is { Cpus: > 0 } l ? (int)Math.Ceiling(l.Cpus) : Environment.ProcessorCount);
        json.WriteNumber("memoryMB", s.Limits is { MemoryBytes: > 0 } m ? m.MemoryBytes >> 20 : 0);
        json.WriteNumber("diskSizeMB", s.Limits is { DiskBytes: > 0 } d ? d.DiskBytes >> 20 : 0);
        json.WriteStartObject("metadata");
        foreach (var (k, v) in s.Labels.OrderBy(p => p.Key, StringComparer.Ordinal))
            json.WriteString(k, v);
        json.WriteEndObject();
        json.WriteString("state", StateOf(s));
        json.WriteString("envdVersion", EnvdVersion);
        if (accessToken is not null)
            json.WriteString("envdAccessToken", accessToken);
        json.WriteNull("domain");
        json.WriteEndObject();
    }

    /// <summary>What create and connect answer (E2B's Sandbox object).</summary>
    public static void WriteCreated(Utf8JsonWriter json, SandboxView s, string accessToken, string? template = null)
    {
        json.WriteStartObject();
        json.WriteString("sandboxID", s.Id);
        json.WriteString("templateID", TemplateOf(s, template));
        json.WriteString("clientID", ClientId);
        json.WriteString("alias", TemplateOf(s, template));
        json.WriteString("envdVersion", EnvdVersion);
        json.WriteString("envdAccessToken", accessToken);
        json.WriteNull("domain");
        json.WriteEndObject();
    }

    public static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
