using System.Globalization;
using Sandboxd.Governance.Profiles;

namespace Sandboxd.Governance.Config;

/// <summary>Reads sandboxd.yaml's pools: list (<see cref="PoolConfig"/>), each error at its line.</summary>
internal static class PoolsSection
{
    public static IReadOnlyList<PoolConfig> Read(YamlFields fields, ConfigNames? names)
    {
        var pools = new List<PoolConfig>();
        var sequence = fields.Sequence("pools") ?? [];
        for (int i = 0; i < sequence.Count; i++)
        {
            var p = new YamlFields(fields.FileName, sequence[i], $"pools[{i}]");
            var profile = p.String("profile") ?? "default";
            if (names is not null && !names.SandboxProfiles.Contains(profile))
                throw p.Error(p.Node("profile")!, p.Key("profile"), $"'{profile}' is not a sandbox profile (known: {string.Join(", ", names.SandboxProfiles)})");
            var image = p.String("image") ?? "";
            if (image == "default")
                image = "";
            if (image.Length > 0 && names is not null && !names.IsImageName(image))
                throw p.Error(p.Node("image")!, p.Key("image"), $"'{image}' is not an image name (lowercase letters, digits, '.', '_', '-')");
            var sizeText = p.String("size") ?? throw p.Missing("size", "missing: how many sandboxes to keep prepared");
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size > PoolConfig.MaxSize)
                throw p.Error(p.Node("size")!, p.Key("size"), $"'{sizeText}' is not a pool size (0 to {PoolConfig.MaxSize})");
            if (pools.Any(e => e.Profile == profile && e.Image == image))
                throw p.Error(sequence[i], $"pools[{i}]", $"profile '{profile}' on image '{(image.Length == 0 ? "default" : image)}' has a pool already");
            p.RejectUnknown();
            pools.Add(new PoolConfig(profile, image, size));
        }
        return pools;
    }
}
