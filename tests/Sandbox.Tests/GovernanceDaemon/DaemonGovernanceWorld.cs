using System.Net;
using System.Net.Sockets;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.GovernanceDaemon;

/// <summary>A real daemon on a sandboxd.yaml with an approval section and a profiles directory,
/// its clock the test's (SANDBOXD_TEST_CLOCK_OFFSET_FILE). Principals act over loopback TCP by
/// their tokens (in-process clients) or over the Unix socket by their uids (sandboxctl under
/// setpriv). Tenant team-a: alice proposes (Engineer, plus a second principal of the same
/// person holding Architect), arch (Architect), sec (Security) and qa (QA) review, eng (Engineer)
/// may not vote. Tenant team-b: bob.</summary>
public sealed class DaemonGovernanceWorld : IDisposable
{
    public const int Group = 60300, AliceUid = 60301, ArchUid = 60302, SecUid = 60303, QaUid = 60304, BobUid = 60305;

    public static readonly string[] Names = ["alice", "alice2", "arch", "sec", "qa", "eng", "bob"];

    private readonly TempRoot _root = new();
    private readonly Dictionary<string, SandboxesClient> _clients = [];
    private readonly int _port = LoopbackPort.Free();

    public DaemonGovernanceWorld()
    {
        Clock = new TestClockFile(_root);
        Clock.Set(TimeSpan.Zero);
        ProfilesDir = Path.Combine(_root.Path, "profiles");
        Directory.CreateDirectory(ProfilesDir);
        // Both extend the LOW built-in (no network, strict filter); only their declared risk differs.
        File.WriteAllText(Path.Combine(ProfilesDir, "mid.yaml"), "name: mid\nrisk: medium\n");
        File.WriteAllText(Path.Combine(ProfilesDir, "top.yaml"), "name: top\nrisk: high\n");
        ConfigPath = Path.Combine(_root.Path, "sandboxd.yaml");
        File.WriteAllText(ConfigPath, Config());
        Daemon = Start();
    }

    public TestClockFile Clock { get; }

    public string ProfilesDir { get; }

    public string ConfigPath { get; }

    public DaemonProcess Daemon { get; private set; }

    /// <summary>The admin (root over the Unix socket).</summary>
    public SandboxesClient Admin => Daemon.Client;

    public static string Token(string name) => "token-of-" + name + "-0123456789abcdef";

    private static string Hash(string name) => Sandboxd.Governance.Config.SandboxdConfig.HashToken(Token(name));

    private string Config() => $"""
        socketGroup: "{Group}"
        profilesDir: {ProfilesDir}
        principals:
          - name: root
            roles: [admin]
            uids: [0]
          - name: alice
            roles: [Engineer]
            tenant: team-a
            uids: [{AliceUid}]
            tokens: ["{Hash("alice")}"]
          - name: alice2
            person: alice
            roles: [Architect]
            tenant: team-a
            tokens: ["{Hash("alice2")}"]
          - name: arch
            roles: [Architect]
            tenant: team-a
            uids: [{ArchUid}]
            tokens: ["{Hash("arch")}"]
          - name: sec
            roles: [Security]
            tenant: team-a
            uids: [{SecUid}]
            tokens: ["{Hash("sec")}"]
          - name: qa
            roles: [QA]
            tenant: team-a
            uids: [{QaUid}]
            tokens: ["{Hash("qa")}"]
          - name: eng
            roles: [Engineer]
            tenant: team-a
            tokens: ["{Hash("eng")}"]
          - name: bob
            roles: [Engineer, Architect]
            tenant: team-b
            uids: [{BobUid}]
            tokens: ["{Hash("bob")}"]
        approval:
          medium:
            approvals: 1
            roles: [Architect, Security]
            deny: 1
            validity: 1h
            useWindow: 15m
          high:
            approvals: 2
            roles: [Architect, Security, QA]
            requiredRoles: [Security]
            deny: 2
            validity: 4h
        """;

    /// <summary>A daemon, once it has made (or refused) what approvals an earlier one left unused.</summary>
    private DaemonProcess Start()
    {
        var daemon = new DaemonProcess(_root, ownsRoot: false,
            ["--config", ConfigPath, "--warm-pool", "0", "--warm-egress", "0", "--listen", $"127.0.0.1:{_port}"], Clock.Environment);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!daemon.Log.Contains("approved proposals at start:", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        return daemon;
    }

    /// <summary>SIGTERM and a new daemon on the same state dir and config.</summary>
    public void Restart()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        _clients.Clear();
        Daemon.Dispose();
        Daemon = Start();
    }

    /// <summary>Stops the daemon (its state dir kept) for a test to change what it left on disk.</summary>
    public void StopDaemon()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        _clients.Clear();
        Daemon.Dispose();
        _stopped = true;
    }

    public void StartDaemon()
    {
        Daemon = Start();
        _stopped = false;
    }

    private bool _stopped;

    public string GovernanceDb => Path.Combine(_root.StateDir, "governance.db");

    /// <summary>A principal's client over TCP, by its token.</summary>
    public SandboxesClient As(string name)
    {
        if (!_clients.TryGetValue(name, out var client))
            _clients[name] = client = new SandboxesClient(SandboxdConnection.ForTcp("127.0.0.1", _port, Token(name)));
        return client;
    }

    public Task<Sandbox> CreateAs(string name, string profile) => As(name).CreateAsync(new CreateRequest { Profile = profile });

    public async Task<Proposal> Vote(string name, string proposalId, bool approve, string reason = "looked at it")
    {
        var client = As(name);
        return await client.Governance.VoteAsync(new VoteRequest { ProposalId = proposalId, Approve = approve, Reason = reason },
            client.Connection.Options(TimeSpan.FromSeconds(60)));
    }

    public async Task<Proposal> Get(string name, string proposalId)
    {
        var client = As(name);
        return await client.Governance.GetProposalAsync(new GetProposalRequest { Id = proposalId }, client.Connection.Options(TimeSpan.FromSeconds(30)));
    }

    public async Task<IReadOnlyList<Proposal>> List(string name, ProposalStatus status)
    {
        var client = As(name);
        return (await client.Governance.ListProposalsAsync(new ListProposalsRequest { Status = status }, client.Connection.Options(TimeSpan.FromSeconds(30)))).Proposals;
    }

    /// <summary>The pending proposal a create running in the background made (the oldest pending
    /// one), once there is one; fails if the create ends first.</summary>
    public async Task<Proposal> PendingOf(Task<Sandboxctl.Result> create)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !create.IsCompleted)
        {
            if (await List("arch", ProposalStatus.Pending) is { Count: > 0 } list)
                return list[0];
            await Task.Delay(50);
        }
        var ended = create.IsCompleted ? await create : null;
        throw new Xunit.Sdk.XunitException("no pending proposal; create: " + ended?.Stdout + ended?.Stderr);
    }

    /// <summary>Every sandbox the daemon has, whoever's (the admin sees all).</summary>
    public async Task<IReadOnlyList<Sandbox>> AllSandboxes() =>
        (await Admin.ListAsync()).Sandboxes.Where(s => s.State != SandboxState.Destroyed).ToList();

    /// <summary>sandboxctl (the JIT build) as <paramref name="uid"/> over the Unix socket.</summary>
    public Task<Sandboxctl.Result> Ctl(int uid, params string[] args) => Sandboxctl.AsUidAsync(Daemon.Socket, uid, Group, args);


    public void Dispose()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        if (!_stopped)
            Daemon.Dispose();
        _root.Dispose();
    }
}
