using System.Text;
using Google.Protobuf;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Tests.Support;

/// <summary>Runs a command to completion and collects what it printed.</summary>
public static class SandboxExtensions
{
    public sealed record Output(string Stdout, string Stderr, ExitStatus Exit);

    public static async Task<Output> RunAsync(this SandboxesClient client, string sandboxId, IEnumerable<string> argv,
        byte[]? stdin = null, string user = "", TimeSpan? deadline = null, IDictionary<string, string>? env = null,
        uint timeoutMs = 0)
    {
        var request = new ExecuteRequest { SandboxId = sandboxId, User = user, TimeoutMs = timeoutMs };
        request.Argv.Add(argv);
        if (stdin is not null)
            request.Stdin = ByteString.CopyFrom(stdin);
        if (env is not null)
            request.Env.Add(env);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        ExitStatus? exit = null;
        await foreach (var message in client.ExecuteAsync(request, deadline ?? TimeSpan.FromSeconds(60)))
        {
            if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Stdout)
                message.Stdout.WriteTo(stdout);
            else if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Stderr)
                message.Stderr.WriteTo(stderr);
            else
                exit = message.Exit;
        }
        return new Output(Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()),
            exit ?? throw new InvalidOperationException("no exit status"));
    }

    /// <summary>Copies a static host binary in through stdin as /tmp/NAME, then runs script
    /// (which may call it) under /bin/sh.</summary>
    public static Task<Output> RunWithBinaryAsync(this SandboxesClient client, string sandboxId, string hostBinary,
        string script, string user = "")
    {
        var name = Path.GetFileName(hostBinary);
        var copyIn = $"cat > /tmp/{name} && chmod +x /tmp/{name} && {script}";
        return client.RunAsync(sandboxId, ["/bin/sh", "-c", copyIn], File.ReadAllBytes(hostBinary), user);
    }

    /// <summary>Copies the static probe in through stdin and runs it as the sandbox's default user;
    /// returns its key=value report.</summary>
    public static Task<Dictionary<string, string>> ProbeAsync(this SandboxesClient client, string sandboxId, params string[] hostPaths) =>
        client.ProbeAsAsync(sandboxId, "", hostPaths);

    /// <summary>The probe run as <paramref name="user"/> ("" for the default, "root" for root inside).</summary>
    public static async Task<Dictionary<string, string>> ProbeAsAsync(this SandboxesClient client, string sandboxId, string user,
        params string[] hostPaths)
    {
        // A file of its own: /tmp is sticky, and root inside (no capabilities) cannot replace
        // a probe an earlier run left there as the sandbox user.
        var script = "p=$(mktemp /tmp/sbx-probe.XXXXXX) && cat > \"$p\" && chmod +x \"$p\" && exec \"$p\" \"$@\"";
        var output = await client.RunAsync(sandboxId, ["/bin/sh", "-c", script, "sh", .. hostPaths], File.ReadAllBytes(RepoPaths.Probe), user);
        if (output.Exit.ExitCode != 0)
            throw new InvalidOperationException($"probe failed ({output.Exit}): {output.Stderr}");
        return output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
    }
}
