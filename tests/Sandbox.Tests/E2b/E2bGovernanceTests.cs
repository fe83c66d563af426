using System.Net;
using System.Text;
using System.Text.Json;
using Sandboxd.Api.V1;
using Sandboxd.Tests.GovernanceDaemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.E2b;

/// <summary>Governance behind E2B's API: a template that is a MEDIUM profile pends for approval,
/// the REST create answers 403 naming the proposal and launches nothing, and the reviewer's vote
/// over gRPC creates it.</summary>
public sealed class E2bGovernanceTests
{
    [RootFact]
    public async Task A_medium_template_answers_403_naming_its_proposal_and_a_vote_creates_it()
    {
        using var world = new DaemonGovernanceWorld(e2b: true);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{world.E2bPort}") };

        var pending = await Create(http, "alice", "mid");
        Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        var body = JsonDocument.Parse(await pending.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(403, body.GetProperty("code").GetInt32());
        string message = body.GetProperty("message").GetString()!;
        Assert.Contains("MEDIUM", message);
        Assert.Empty(await world.AllSandboxes());
        var proposal = Assert.Single(await world.List("arch", Sandboxd.Api.V1.ProposalStatus.Pending));
        Assert.Contains($"proposal {proposal.Id} is pending", message);
        Assert.Equal("alice", proposal.Proposer);

        var decided = await world.Vote("arch", proposal.Id, true, "fine");
        Assert.Equal(Sandboxd.Api.V1.ProposalStatus.Used, decided.Status);
        var sandbox = await world.As("alice").GetAsync(decided.SandboxId);
        Assert.Equal(SandboxState.Running, sandbox.State);
        Assert.Equal("MEDIUM", sandbox.Risk);

        // A LOW template is made at once; an unknown one is E2B's 404 naming it.
        var low = await Create(http, "alice", "low");
        Assert.Equal(HttpStatusCode.Created, low.StatusCode);
        var unknown = await Create(http, "alice", "no-such-template");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(404, error.GetProperty("code").GetInt32());
        Assert.StartsWith("template 'no-such-template' not found", error.GetProperty("message").GetString());
    }

    private static Task<HttpResponseMessage> Create(HttpClient http, string who, string template)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/sandboxes")
        {
            Content = new StringContent($$"""{"templateID":"{{template}}","timeout":60}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-API-KEY", DaemonGovernanceWorld.Token(who));
        return http.SendAsync(request);
    }
}
