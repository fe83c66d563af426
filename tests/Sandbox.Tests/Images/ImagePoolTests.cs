using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Images;

/// <summary>The warm pool per profile and image, configured in sandboxd.yaml: it fills once the
/// image exists, a create of that profile and image takes a prepared sandbox (a hit) that runs on
/// the image, an empty lane is a miss, it refills in the background, a reload resizes it, and an
/// image the pool holds cannot be removed.</summary>
public sealed class ImagePoolTests
{
    private const string Pools = """
        pools:
          - { profile: default, image: tiny, size: 1 }
        """;

    [RootFact]
    public async Task A_configured_lane_fills_hits_misses_refills_and_resizes_on_reload()
    {
        using var world = new ImageWorld(Pools, "--warm-pool", "0");
        // Before the image exists the lane is there, empty, and says why.
        var waiting = await world.LaneAsync("default", "tiny");
        Assert.NotNull(waiting);
        Assert.Equal(1u, waiting.Target);
        await WaitForAsync(async () => (await world.LaneAsync("default", "tiny"))!.LastError.Contains("'tiny' is not imported", StringComparison.Ordinal));

        await world.ImportFileAsync("tiny", world.Archive("rootfs"));
        await world.WaitForLaneAsync("default", "tiny", ready: 1);

        var taken = await world.Daemon.Client.CreateAsync(new CreateRequest { Image = "tiny" });
        var lane = await world.LaneAsync("default", "tiny");
        Assert.Equal((1ul, 0ul), (lane!.Hits, lane.Misses));
        Assert.Equal("tiny", taken.Image);
        Assert.Equal("imported\n", (await world.Daemon.Client.RunAsync(taken.Id, ["/usr/bin/cat", "/etc/marker"])).Stdout);
        // Another profile on the image, or the default image, has no lane: not counted.
        var strict = await world.Daemon.Client.CreateAsync(new CreateRequest { Image = "tiny", Profile = "strict" });

        await world.WaitForLaneAsync("default", "tiny", ready: 1);
        var busy = await Assert.ThrowsAsync<RpcException>(() => world.Images.RemoveAsync(new RemoveImageRequest { Name = "tiny" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, busy.StatusCode);

        // Three at once against one prepared sandbox: one hit at least, and the rest misses.
        var burst = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => world.Daemon.Client.CreateAsync(new CreateRequest { Image = "tiny" })));
        lane = await world.LaneAsync("default", "tiny");
        Assert.Equal(4ul, lane!.Hits + lane.Misses);
        Assert.True(lane.Hits >= 2 && lane.Misses >= 1, lane.ToString());
        await world.WaitForLaneAsync("default", "tiny", ready: 1);

        File.WriteAllText(world.ConfigPath, ImageWorld.Admin + "\n" + Pools.Replace("size: 1", "size: 2", StringComparison.Ordinal));
        Posix.Kill(world.Daemon.Pid, 1);
        await world.WaitForLaneAsync("default", "tiny", ready: 2);

        foreach (var id in burst.Select(s => s.Id).Append(taken.Id).Append(strict.Id))
            await world.Daemon.Client.DestroyAsync(id);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "never happened");
            await Task.Delay(20);
        }
    }
}
