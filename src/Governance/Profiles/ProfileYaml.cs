using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sandboxd.Governance.Profiles;

/// <summary>Reads profile files (profiles directory, one per file) and the overrides they share
/// with role patterns and creates:
/// <code>
/// name: data-science
/// extends: medium          # a built-in or earlier profile; default low
/// risk: medium             # the level this profile declares at least (default: its base's)
/// isolation: container     # process | container | strongest
/// filesystem: readWriteUpper
/// network: { egress: true, allow: [pypi.org, files.pythonhosted.org], audited: false }
/// seccomp: default         # a seccomp profile name, or off
/// userNamespace: true
/// rootInside: false
/// resources: { memory: 512M, cpuTime: 2m }
/// mounts: [ { source: /srv/data, target: /data, readOnly: true } ]
/// ttl: 1h
/// image: debian-12
/// </code>
/// Every error is a <see cref="ProfileFileException"/> naming the file, key and line. Daemon side
/// only: sandboxctl never parses YAML (it is NativeAOT, and reflection-based YAML is not).</summary>
public static class ProfileYaml
{
    public static GovernanceProfile LoadFile(string path, Func<string, GovernanceProfile?> findBase) =>
        Parse(File.ReadAllText(path), path, findBase);

    public static GovernanceProfile Parse(string yaml, string file, Func<string, GovernanceProfile?> findBase)
    {
        var fields = Document(yaml, file);
        var name = fields.String("name") ?? throw fields.Missing("name", "missing: every profile has a name");
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw fields.Error(fields.Node("name")!, "name", $"'{name}' is not a name (letters, digits, - and _)");
        var baseName = fields.String("extends") ?? BuiltinProfiles.Low.Name;
        var baseProfile = findBase(baseName) ?? throw fields.Error(fields.Node("extends")!, "extends", $"no profile '{baseName}' (built-ins: low, medium, high, critical)");
        var floor = fields.Enum<RiskLevel>("risk") ?? baseProfile.Floor;
        fields.Node("description");
        var overrides = ReadOverrides(fields);
        fields.RejectUnknown();
        var spec = overrides.ApplyTo(baseProfile.Spec) with { Profile = name, ProfileFloor = floor };
        return new GovernanceProfile(name, floor, spec, file);
    }

    /// <summary>Role patterns, a mapping of role to a profile and overrides:
    /// <code>
    /// QA: { profile: low }
    /// Architect: { profile: medium, network: { egress: true, allow: [github.com] } }
    /// </code></summary>
    public static IReadOnlyList<RolePattern> ParsePatterns(string yaml, string file)
    {
        return ReadPatterns(Document(yaml, file));
    }

    /// <summary>The same, from a mapping inside another document (sandboxd.yaml's <c>patterns</c>).</summary>
    internal static IReadOnlyList<RolePattern> ReadPatterns(YamlFields fields)
    {
        var patterns = new List<RolePattern>();
        foreach (var (role, node) in fields.Entries())
        {
            var pattern = new YamlFields(fields.FileName, node, fields.Key(role));
            var profile = pattern.String("profile") ?? BuiltinProfiles.Low.Name;
            patterns.Add(new RolePattern(role, profile, ReadOverrides(pattern)));
            pattern.RejectUnknown();
        }

        return patterns;
    }

    /// <summary>Overrides given as YAML (a create's or a dry run's), with the same keys as a profile.</summary>
    public static SpecOverrides ParseOverrides(string yaml, string file)
    {
        var fields = Document(yaml, file);
        var overrides = ReadOverrides(fields);
        fields.RejectUnknown();
        return overrides;
    }

    internal static SpecOverrides ReadOverrides(YamlFields fields)
    {
        var resources = fields.Mapping("resources");
        var network = fields.Mapping("network");
        var overrides = new SpecOverrides
        {
            Isolation = fields.Enum<IsolationKind>("isolation"),
            Filesystem = fields.Enum<FilesystemKind>("filesystem"),
            Network = network is null ? null : ReadNetwork(network),
            Seccomp = fields.String("seccomp"),
            UserNamespace = fields.Bool("userNamespace"),
            RootInside = fields.Bool("rootInside"),
            MemoryBytes = resources?.Bytes("memory"),
            CpuTime = resources?.Duration("cpuTime"),
            Mounts = fields.Sequence("mounts")?.Select((node, i) => ReadMount(new YamlFields(fields.FileName, node, fields.Key($"mounts[{i}]")))).ToList(),
            Ttl = fields.Duration("ttl"),
            Image = fields.String("image"),
        };
        resources?.RejectUnknown();
        return overrides;
    }

    private static NetworkPolicySpec ReadNetwork(YamlFields network)
    {
        var policy = new NetworkPolicySpec(network.Bool("egress") ?? false, network.Strings("allow") ?? [], network.Bool("audited") ?? false);
        if (!policy.Egress && policy.AllowedDomains.Count > 0)
            throw network.Error(network.Node("allow")!, network.Key("allow"), "an allowlist needs egress: true");
        network.RejectUnknown();
        return policy;
    }

    private static HostMount ReadMount(YamlFields mount)
    {
        var source = mount.String("source") ?? throw mount.Missing("source", "missing");
        var target = mount.String("target") ?? source;
        foreach (var (key, path) in new[] { ("source", source), ("target", target) })
            if (!path.StartsWith('/'))
                throw mount.Error(mount.Node(key)!, mount.Key(key), $"'{path}' is not an absolute path");
        var readOnly = mount.Bool("readOnly") ?? true;
        mount.RejectUnknown();
        return new HostMount(source, target, readOnly);
    }

    internal static YamlFields Document(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ProfileFileException(file, "", e.Start.Line, $"not YAML: {e.Message}", e);
        }

        return stream.Documents.Count == 0
            ? throw new ProfileFileException(file, "", 1, "empty")
            : new YamlFields(file, stream.Documents[0].RootNode, "");
    }
}
