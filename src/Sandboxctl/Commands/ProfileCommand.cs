using System.CommandLine;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl profile list|show|assess`: the daemon's profiles and a dry run of the risk rules.</summary>
internal static class ProfileCommand
{
    private static readonly string[] ListHeader = ["NAME", "LEVEL", "ISOLATION", "NETWORK", "SECCOMP", "MEMORY", "CPU TIME", "SOURCE"];

    public static Command Build()
    {
        var command = new Command("profile", "sandbox profiles, role patterns and risk");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Assess());
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "every profile (built-in and the profiles directory's) with its level") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var response = await client.Governance.ListProfilesAsync(new ListProfilesRequest(), client.Connection.Options(null, cancel));
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(response));
                return 0;
            }
            var rows = new List<string[]> { ListHeader };
            rows.AddRange(response.Profiles.Select(p => new[]
            {
                p.Name, p.Level, p.Spec.Isolation, p.Spec.Egress ? "egress" : "none", p.Spec.Seccomp,
                ResourceOptions.FormatSize(p.Spec.MemoryBytes), p.Spec.CpuTimeSeconds == 0 ? "unlimited" : p.Spec.CpuTimeSeconds + "s",
                p.Source.Length == 0 ? "(built-in)" : p.Source,
            }));
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
                Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string?>("name") { Description = "profile name", Arity = ArgumentArity.ZeroOrOne };
        var role = new Option<string?>("--for") { Description = "the role whose pattern a create without a profile takes" };
        var json = CommonOptions.Json();
        var command = new Command("show", "one profile, or the merged result for a role (--for ROLE)") { name, role, json };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(name) is null) == (r.GetValue(role) is null))
                r.AddError("give a profile name or --for ROLE");
        });
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var view = await client.Governance.ShowProfileAsync(new ShowProfileRequest { Name = result.GetValue(name) ?? "", ForRole = result.GetValue(role) ?? "" },
                client.Connection.Options(null, cancel));
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(view));
                return 0;
            }
            if (view.Role.Length > 0)
                Console.WriteLine($"role {view.Role}: {(view.FromPattern ? "pattern" : "no pattern, the default")} -> profile {view.Name}");
            PrintSpec(view.Spec, view.Level, view.Findings);
            return 0;
        }));
        return command;
    }

    private static Command Assess()
    {
        var profile = new Option<string?>("--profile") { Description = "the profile to start from (default: your role's pattern)" };
        var memory = new Option<string?>("--memory") { Description = "memory, e.g. 512M" };
        var egress = new Option<bool>("--egress") { Description = "allow egress through the proxy" };
        var allow = new Option<string[]>("--allow-domain") { Description = "with --egress: a domain it may reach (repeatable)" };
        var image = new Option<string?>("--image") { Description = "the image it would run" };
        var overrides = new SpecOverrideOptions();
        var json = CommonOptions.Json();
        var command = new Command("assess", "dry run: the merged request, every risk finding with its reason, and the level") { profile, memory, egress, allow, image, json };
        overrides.AddTo(command);
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var o = overrides.Read(result) ?? new SpecOverrides();
            if (result.GetValue(memory) is { } m)
                o.MemoryBytes = ResourceOptions.ParseSize(m) ?? throw new ArgumentException($"--memory '{m}': expected a size like 256M");
            if (result.GetValue(egress))
                o.Egress = true;
            o.AllowDomains.AddRange(result.GetValue(allow) ?? []);
            if (result.GetValue(image) is { } i)
                o.Image = i;
            var answer = await client.Governance.AssessAsync(new AssessRequest { Profile = result.GetValue(profile) ?? "", Overrides = o },
                client.Connection.Options(null, cancel));
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(answer));
                return 0;
            }
            PrintSpec(answer.Spec, answer.Level, answer.Findings);
            Console.WriteLine($"sha256     {answer.SpecSha256}");
            Console.WriteLine(answer.NeedsApproval ? $"approval   needed: {answer.ApprovalRule}" : "approval   none: a create is made at once");
            return 0;
        }));
        return command;
    }

    private static void PrintSpec(RequestSpec s, string level, IEnumerable<RiskFinding> findings)
    {
        Console.WriteLine($"profile    {s.Profile} (declared {s.ProfileFloor})");
        Console.WriteLine($"isolation  {s.Isolation}   filesystem {s.Filesystem}");
        Console.WriteLine($"network    {(s.Egress ? "egress to [" + string.Join(", ", s.AllowDomains) + "]" + (s.NetworkAudited ? ", audited" : "") : "none")}");
        Console.WriteLine($"seccomp    {s.Seccomp}   user namespace {s.UserNamespace}   root inside {s.RootInside}");
        Console.WriteLine($"resources  memory {ResourceOptions.FormatSize(s.MemoryBytes)}, CPU time {(s.CpuTimeSeconds == 0 ? "unlimited" : s.CpuTimeSeconds + "s")}");
        Console.WriteLine($"mounts     {(s.Mounts.Count == 0 ? "none" : string.Join(", ", s.Mounts.Select(m => $"{m.Source} -> {m.Target}{(m.ReadOnly ? " (ro)" : " (rw)")}")))}");
        Console.WriteLine($"ttl        {(s.TtlSeconds == 0 ? "none" : s.TtlSeconds + "s")}   image {(s.Image.Length == 0 ? "(default)" : s.Image)}");
        Console.WriteLine($"level      {level}");
        Console.WriteLine("findings:");
        ProposalText.Findings(findings);
    }
}
