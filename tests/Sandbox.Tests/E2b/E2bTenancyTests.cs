using Sandboxd.Governance.Config;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.E2b;

/// <summary>With a config, X-API-KEY is a principal's bearer token: two tenants' keys reach
/// their own sandboxes only, and a key that is nobody's is refused.</summary>
public sealed class E2bTenancyTests
{
    [RootFact]
    public async Task One_tenants_key_cannot_reach_anothers_sandbox()
    {
        string keyA = "key-a-" + Guid.NewGuid().ToString("N"), keyB = "key-b-" + Guid.NewGuid().ToString("N");
        using var root = new TempRoot();
        var config = Path.Combine(root.Path, "sandboxd.yaml");
        await File.WriteAllTextAsync(config, $"""
            principals:
              - name: root
                roles: [admin]
                uids: [0]
              - name: alice
                roles: [Engineer]
                tenant: team-a
                tokens: [{SandboxdConfig.HashToken(keyA)}]
              - name: bob
                roles: [Engineer]
                tenant: team-b
                tokens: [{SandboxdConfig.HashToken(keyB)}]
            """);
        int port = E2bSdk.FreeLoopbackPort();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--config", config, "--e2b-listen", $"127.0.0.1:{port}", "--warm-pool", "0", "--warm-egress", "0"]);
        var run = await E2bSdk.RunAsync("tenancy.mjs", port, keyA, new Dictionary<string, string> { ["TENANT_A_KEY"] = keyA, ["TENANT_B_KEY"] = keyB });
        Assert.True(run.Code == 0, $"tenancy.mjs failed:\n{run.Output}\n--- daemon ---\n{daemon.Log}");
        Assert.Equal(4, run.Passed.Count);
        // The record says whose calls they were, by tenant.
        var audit = await Sandboxctl.RunAsync(daemon.Socket, null, "audit", "query", "--kind", "SandboxCreated", "--json");
        Assert.Contains("\"principal\": \"e2b:alice\"", audit.Stdout);
        Assert.Contains("\"principal\": \"e2b:bob\"", audit.Stdout);
    }
}
