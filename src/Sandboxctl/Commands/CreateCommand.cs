using System.CommandLine;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

internal static class CreateCommand
{
    public static Command Build()
    {
        var image = new Option<string?>("--image")
        {
            Description = "an imported image's name (`image list`) or an unpacked rootfs directory (default: the host's /usr + a generated /etc)",
        };
        var hostname = new Option<string?>("--hostname") { Description = "hostname inside the sandbox (default: its id)" };
        var network = new Option<string>("--network")
        {
            Description = "none (loopback only) or egress (only the daemon's proxy, which applies the --allow/--deny policy)",
            DefaultValueFactory = _ => "none",
        };
        network.AcceptOnlyFromAmong("none", "egress");
        var transparent = new Option<bool>("--transparent") { Description = "egress: also filter TCP and answer DNS (from the policy) for programs that ignore the proxy variables" };
        var ttl = new Option<string?>("--ttl") { Description = "destroy it this long after creation (30m, 2h, ...); `ttl extend` moves it" };
        var idle = new Option<string?>("--idle-timeout") { Description = "stop it after this long without activity (default: the daemon's)" };
        var policy = new EgressPolicyOptions();
        var resources = new ResourceOptions();
        var json = CommonOptions.Json();
        var noWait = new Option<bool>("--no-wait") { Description = "a request that needs approval: print its proposal id and return" };
        var waitFor = new Option<string?>("--wait-timeout") { Description = "wait at most this long for the approval (e.g. 10m; default: until the proposal is decided)" };
        var overrides = new SpecOverrideOptions(withTtl: false);
        var command = new Command("create", "create a sandbox and print its id (a risky one once its proposal is approved)")
        {
            image, hostname, network, transparent, ttl, idle, json, noWait, waitFor,
        };
        policy.AddTo(command);
        resources.AddTo(command);
        overrides.AddTo(command);
        command.Validators.Add(r =>
        {
            // Policy options on a none-mode sandbox would be ignored: refuse them here, as the daemon does.
            if (r.GetValue(network) != "egress" && (policy.AnyGiven(r) || r.GetValue(transparent)))
                r.AddError("--allow-*, --deny-domain and --transparent need --network egress");
            foreach (var option in new[] { ttl, idle })
                if (r.GetValue(option) is { } text && !Sandboxd.Api.Client.DurationText.TryParse(text, out _))
                    r.AddError($"{option.Name} takes a duration like 30s, 15m, 2h or 500ms, not '{text}'");
        });
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var request = new CreateRequest { Image = result.GetValue(image) is { } i ? ImageArgument(i) : "", Hostname = result.GetValue(hostname) ?? "" };
            resources.Apply(result, request);
            if (result.GetValue(ttl) is { } t)
                request.TtlMs = (ulong)Sandboxd.Api.Client.DurationText.Parse("--ttl", t).TotalMilliseconds;
            if (result.GetValue(idle) is { } d)
                request.IdleTimeoutMs = (ulong)Sandboxd.Api.Client.DurationText.Parse("--idle-timeout", d).TotalMilliseconds;
            if (result.GetValue(network) == "egress")
                request.Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = policy.Read(result), Transparent = result.GetValue(transparent) };
            request.Overrides = overrides.Read(result);
            var sandbox = await client.CreateAsync(request, cancel: cancel);
            if (sandbox.State == SandboxState.PendingApproval)
            {
                if (result.GetValue(noWait))
                {
                    Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(sandbox) : sandbox.ProposalId);
                    return 0;
                }
                var deadline = result.GetValue(waitFor) is { } w ? Sandboxd.Api.Client.DurationText.Parse("--wait-timeout", w) : (TimeSpan?)null;
                var ended = await ProposalWait.FollowAsync(client, sandbox.ProposalId, deadline, cancel);
                if (ended is not { SandboxId.Length: > 0 })
                {
                    var why = ended is null ? "not decided before --wait-timeout"
                        : ended.CreateError.Length > 0 ? "approved, but its create failed: " + ended.CreateError
                        : $"{ProposalText.Status(ended.Status)} ({ended.Decision})";
                    await Console.Error.WriteLineAsync($"sandboxctl: proposal {sandbox.ProposalId} {why}");
                    return 1;
                }
                sandbox = await client.GetAsync(ended.SandboxId, cancel);
            }
            Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(sandbox) : sandbox.Id);
            return 0;
        }));
        return command;
    }

    /// <summary>A name as it is; something that looks like a path (a '/' or a leading '.') as an absolute path.</summary>
    private static string ImageArgument(string value) => value.Contains('/', StringComparison.Ordinal) || value.StartsWith('.') ? Path.GetFullPath(value) : value;
}
