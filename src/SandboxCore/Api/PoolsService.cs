using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Pools: the warm pool's lanes with their hits and misses.</summary>
public sealed class PoolsService(WarmPool pool) : Pools.PoolsBase
{
    public override Task<ListPoolsResponse> List(ListPoolsRequest request, ServerCallContext context)
    {
        var response = new ListPoolsResponse();
        response.Lanes.AddRange(pool.Lanes.Select(l => new Sandboxd.Api.V1.PoolLane
        {
            Profile = l.Key.Profile,
            Image = l.Key.Image,
            Egress = l.Key.Egress,
            Target = (uint)l.Target,
            Ready = (uint)l.Ready,
            Hits = (ulong)l.Hits,
            Misses = (ulong)l.Misses,
            LastError = l.LastError ?? "",
        }));
        return Task.FromResult(response);
    }
}
