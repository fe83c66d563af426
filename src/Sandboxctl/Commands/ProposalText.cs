using System.Globalization;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>Proposals, votes and findings for people.</summary>
internal static class ProposalText
{
    private static readonly string[] Header = ["ID", "STATUS", "LEVEL", "TENANT", "PROPOSER", "VOTES", "CREATED", "SANDBOX"];

    public static string Status(ProposalStatus status) =>
        status.ToString().Replace("ProposalStatus", "", StringComparison.Ordinal).ToLowerInvariant();

    public static void Table(IEnumerable<Proposal> proposals)
    {
        var rows = new List<string[]> { Header };
        foreach (var p in proposals)
            rows.Add([p.Id, Status(p.Status), p.Level, p.Tenant, p.Proposer, Tally(p), Time(p.CreatedUnixMs), p.SandboxId]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }

    public static string Tally(Proposal p) =>
        $"{p.Votes.Count(v => v.Approve)}/{p.ApprovalsRequired} yes, {p.Votes.Count(v => !v.Approve)} no";

    public static void Show(Proposal p)
    {
        Console.WriteLine($"proposal   {p.Id}");
        Console.WriteLine($"status     {Status(p.Status)}{(p.Decision.Length > 0 ? " (" + p.Decision + ")" : "")}");
        Console.WriteLine($"level      {p.Level}");
        Console.WriteLine($"tenant     {p.Tenant}");
        Console.WriteLine($"proposer   {p.Proposer} ({p.ProposerPerson})");
        Console.WriteLine($"profile    {p.Spec.Profile}   sha256 {p.SpecSha256}");
        Console.WriteLine($"created    {Time(p.CreatedUnixMs)}   expires {Time(p.ExpiresUnixMs)}");
        if (p.DecidedUnixMs > 0)
            Console.WriteLine($"decided    {Time(p.DecidedUnixMs)}");
        if (p.UsedUnixMs > 0)
            Console.WriteLine($"used       {Time(p.UsedUnixMs)}");
        Console.WriteLine($"rule       {Rule(p)}");
        if (p.SandboxId.Length > 0)
            Console.WriteLine($"sandbox    {p.SandboxId}");
        if (p.CreateError.Length > 0)
            Console.WriteLine($"error      {p.CreateError}");
        Console.WriteLine("findings:");
        Findings(p.Findings);
        Console.WriteLine(p.Votes.Count == 0 ? "votes: none yet" : "votes:");
        foreach (var v in p.Votes)
            Console.WriteLine("  " + Vote(v));
    }

    public static string Rule(Proposal p) =>
        $"{p.ApprovalsRequired} approval(s) from {string.Join(", ", p.VotingRoles)}"
        + (p.RequiredRoles.Count > 0 ? $" including {string.Join(", ", p.RequiredRoles)}" : "")
        + (p.DenyThreshold > 0 ? $"; {p.DenyThreshold} rejection(s) reject" : "")
        + $"; eligible: {string.Join(", ", p.Eligible)}";

    public static string Vote(Vote v) =>
        $"{Time(v.AtUnixMs)}  {v.Principal} ({v.Person}; {string.Join(", ", v.Roles)}) {(v.Approve ? "approved" : "rejected")}: {v.Reason}";

    public static void Findings(IEnumerable<RiskFinding> findings)
    {
        var any = false;
        foreach (var f in findings)
        {
            Console.WriteLine($"  {f.Level,-8}  {f.Rule,-18}  {f.Reason}");
            any = true;
        }
        if (!any)
            Console.WriteLine("  none");
    }

    public static string Time(long unixMs) => unixMs == 0 ? "-"
        : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
