using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using Xunit;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Tests.Architecture;

/// <summary>The domain's enums are stored (the state column holds SandboxState's numbers) and map
/// to the API's by number: their numbers are frozen and equal the proto's, which may only grow.</summary>
public sealed class DomainEnumGoldenTests
{
    [Fact]
    public void Sandbox_states_keep_the_numbers_state_dirs_hold()
    {
        (SandboxState, int)[] golden =
        [
            (SandboxState.Unspecified, 0), (SandboxState.Creating, 1), (SandboxState.Running, 2), (SandboxState.Destroyed, 3),
            (SandboxState.Failed, 4), (SandboxState.Paused, 5), (SandboxState.Stopping, 6), (SandboxState.Stopped, 7),
            (SandboxState.Resuming, 8), (SandboxState.Destroying, 9), (SandboxState.PendingApproval, 10),
        ];
        Assert.Equal(golden.Length, Enum.GetValues<SandboxState>().Length);
        foreach (var (state, number) in golden)
            Assert.Equal(number, (int)state);
    }

    [Fact]
    public void Domain_enums_map_to_the_api_by_number_and_name() =>
        Assert.All([Pairs<SandboxState, V1.SandboxState>(), Pairs<SandboxWatchKind, V1.SandboxEventKind>(), Pairs<NetworkMode, V1.NetworkMode>()],
            pairs => Assert.All(pairs, p => Assert.Equal(p.Domain, p.Api)));

    /// <summary>Every domain value beside the API value of its number (by name); every API value but UNSPECIFIED has a domain twin.</summary>
    private static List<(string Domain, string Api)> Pairs<TDomain, TApi>() where TDomain : struct, Enum where TApi : struct, Enum
    {
        var api = Enum.GetValues<TApi>().ToDictionary(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v => v.ToString());
        var domain = Enum.GetValues<TDomain>().ToDictionary(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v => v.ToString());
        return api.Keys.Union(domain.Keys)
            .Where(n => !(n == 0 && !domain.ContainsKey(0) && api[0] == "Unspecified"))
            .Select(n => (domain.GetValueOrDefault(n, "(none)"), api.GetValueOrDefault(n, "(none)")))
            .ToList();
    }
}
