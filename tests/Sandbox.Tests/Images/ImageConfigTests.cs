using Sandboxd.Core.Hosting;
using Sandboxd.Governance.Config;
using Sandboxd.Governance.Profiles;
using Xunit;

namespace Sandboxd.Tests.Images;

/// <summary>sandboxd.yaml's images: and pools: sections, each mistake named with file:line.</summary>
public sealed class ImageConfigTests
{
    private static SandboxdConfig Parse(string extra) =>
        SandboxdConfig.Parse(Sandboxd.Tests.Images.ImageWorld.Admin + "\n" + extra, "sandboxd.yaml", DaemonConfigNames.Value);

    [Fact]
    public void Pools_and_image_caps_are_read()
    {
        var config = Parse("""
            images: { maxBytes: 1G, maxEntries: 5000, keepSetuid: true }
            pools:
              - { profile: strict, image: alpine, size: 3 }
              - { size: 1 }
            """);
        Assert.Equal(new ImagesConfig(1L << 30, 5000, true), config.Images);
        Assert.Equal([new PoolConfig("strict", "alpine", 3), new PoolConfig("default", "", 1)], config.Pools);
        Assert.Equal(ImagesConfig.Default, Parse("").Images);
    }

    [Theory]
    [InlineData("pools:\n  - { profile: nope, size: 1 }", "sandboxd.yaml:6: pools[0].profile: 'nope' is not a sandbox profile")]
    [InlineData("pools:\n  - { image: Bad/Name, size: 1 }", "sandboxd.yaml:6: pools[0].image: 'Bad/Name' is not an image name")]
    [InlineData("pools:\n  - { size: many }", "sandboxd.yaml:6: pools[0].size: 'many' is not a pool size")]
    [InlineData("pools:\n  - { image: a }", "pools[0].size: missing")]
    [InlineData("pools:\n  - { image: a, size: 1 }\n  - { image: a, size: 2 }", "sandboxd.yaml:7: pools[1]: profile 'default' on image 'a' has a pool already")]
    [InlineData("pools:\n  - { image: a, size: 1, egress: true }", "sandboxd.yaml:6: pools[0].egress: unknown key")]
    [InlineData("images: { maxEntries: -1 }", "sandboxd.yaml:5: images.maxEntries: '-1' is not a number of entries")]
    [InlineData("images: { maxBytes: lots }", "sandboxd.yaml:5: images.maxBytes: 'lots' is not a size")]
    public void Mistakes_are_named_with_their_line(string extra, string expected)
    {
        var e = Assert.Throws<ProfileFileException>(() => Parse(extra));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
