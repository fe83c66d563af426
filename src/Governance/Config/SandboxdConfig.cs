using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Risk;

namespace Sandboxd.Governance.Config;

/// <summary>sandboxd.yaml: who may call, in which tenant, with which roles, and how much each
/// tenant and the host may hold. Every error names the file, the dotted key and its line
/// (<see cref="ProfileFileException"/>); unknown keys are errors.
/// <code>
/// socketGroup: sandbox        # the Unix socket becomes root:GROUP 0660 (a name or a gid)
/// profilesDir: /etc/sandboxd/profiles
/// principals:
///   - name: alice
///     person: alice            # the human behind it (default: name); one voter, one proposer
///     roles: [Engineer]
///     tenant: team-a
///     uids: [1001]
///     tokens: [sha256:3f2a…]   # SHA-256 of the bearer token (`sandboxctl token hash`)
/// quotas:
///   team-a: { sandboxes: 4, memory: 2G, cpus: 2, disk: 4G }
///   "*": { sandboxes: 8 }      # every tenant without its own entry
/// admission: { sandboxes: 64, memory: 32G }   # the whole host
/// images: { maxBytes: 8G, maxEntries: 1000000, keepSetuid: false }   # ImagesConfig
/// pools:                                      # PoolConfig: prepared sandboxes per profile and image
///   - { profile: default, image: alpine, size: 2 }
/// approval:                  # present: MEDIUM+ creates wait for votes (absent: created at once, risk recorded)
///   high: { approvals: 3, roles: [PM, Architect, QA, Security, System], requiredRoles: [Security], deny: 2, validity: 4h, useWindow: 15m }
/// patterns:                  # a create without a profile takes its caller's role pattern
///   QA: { profile: low }
///   Architect: { profile: medium, network: { egress: true, allow: [github.com] } }
/// </code></summary>
public sealed record SandboxdConfig(
    string Source,
    IReadOnlyList<Principal> Principals,
    IReadOnlyDictionary<string, TenantQuota> Quotas,
    TenantQuota Admission,
    string? SocketGroup,
    string? ProfilesDir)
{
    /// <summary>The approval policy per level (levels not named take <see cref="ApprovalMatrix.Default"/>'s);
    /// null: no <c>approval</c> section, so nothing waits for votes (the built-in config has nobody to vote).</summary>
    public IReadOnlyDictionary<RiskLevel, LevelPolicy>? Approval { get; init; }

    public IReadOnlyList<RolePattern> Patterns { get; init; } = [];

    /// <summary>The built-in profiles, the profiles directory's and the role patterns, read with the config.</summary>
    public ProfileCatalog Profiles { get; init; } = ProfileCatalog.Builtin;

    /// <summary>The people behind the principals of <paramref name="tenant"/> and the admins, each
    /// with the union of their principals' roles: who may vote on that tenant's proposals.</summary>
    public IReadOnlyList<Person> PeopleOf(string tenant) => Principals
        .Where(p => p.Tenant == tenant || p.IsAdmin)
        .GroupBy(p => p.Person, StringComparer.Ordinal)
        .Select(g => new Person(g.Key, g.SelectMany(p => p.Roles).Where(r => !string.Equals(r, Principal.AdminRole, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal).ToList()))
        .ToList();

    /// <summary>The matrix a proposal of <paramref name="tenant"/> is decided by.</summary>
    public ApprovalMatrix ApprovalFor(string tenant)
    {
        var matrix = ApprovalMatrix.Default(PeopleOf(tenant));
        if (Approval is null)
            return matrix;
        var levels = new Dictionary<RiskLevel, LevelPolicy>(matrix.Levels);
        foreach (var (level, policy) in Approval)
            levels[level] = policy;
        return matrix with { Levels = levels };
    }

    public const string DefaultPath = "/etc/sandboxd/sandboxd.yaml";

    public ImagesConfig Images { get; init; } = ImagesConfig.Default;

    /// <summary>Empty: only the --warm-pool sandboxes of the default profile and image.</summary>
    public IReadOnlyList<PoolConfig> Pools { get; init; } = [];
    public const string DefaultTenant = "default";
    public const string AnyTenant = "*";

    /// <summary>No config file: root on the Unix socket is the admin of the default tenant, and
    /// nobody else is known (other uids are UNAUTHENTICATED).</summary>
    public static SandboxdConfig BuiltIn { get; } = new("(built-in)",
        [new Principal("root", "root", [Principal.AdminRole], DefaultTenant, [0], [])],
        new Dictionary<string, TenantQuota>(), TenantQuota.Unlimited, null, null);

    public Principal? ForUid(int uid) => Principals.FirstOrDefault(p => p.Uids.Contains(uid));

    /// <summary>Compares the token's hash with every principal's, in constant time each.</summary>
    public Principal? ForToken(string token)
    {
        var presented = Encoding.ASCII.GetBytes(HashToken(token));
        Principal? found = null;
        foreach (var p in Principals)
            foreach (var hash in p.TokenSha256)
                if (CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(hash)))
                    found ??= p;
        return found;
    }

    public TenantQuota QuotaOf(string tenant) =>
        Quotas.TryGetValue(tenant, out var q) ? q : Quotas.TryGetValue(AnyTenant, out var any) ? any : TenantQuota.Unlimited;

    /// <summary>"sha256:" and the lowercase hex SHA-256 of the token's UTF-8 bytes.</summary>
    public static string HashToken(string token) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static SandboxdConfig LoadFile(string path, ConfigNames? names = null) => Parse(File.ReadAllText(path), path, names);

    /// <param name="names">What pools: may name; null checks neither profiles nor image names.</param>
    public static SandboxdConfig Parse(string yaml, string file, ConfigNames? names = null)
    {
        var fields = ProfileYaml.Document(yaml, file);
        var socketGroup = fields.String("socketGroup");
        var profilesDir = fields.String("profilesDir");
        if (profilesDir is not null && !profilesDir.StartsWith('/'))
            throw fields.Error(fields.Node("profilesDir")!, "profilesDir", $"'{profilesDir}' is not an absolute path");
        var principals = new List<Principal>();
        var sequence = fields.Sequence("principals") ?? throw fields.Missing("principals", "missing: a config declares its principals");
        for (int i = 0; i < sequence.Count; i++)
            principals.Add(ReadPrincipal(new YamlFields(file, sequence[i], $"principals[{i}]"), principals));
        var quotas = new Dictionary<string, TenantQuota>(StringComparer.Ordinal);
        if (fields.Mapping("quotas") is { } quotaMap)
            foreach (var (tenant, node) in quotaMap.Entries())
                quotas[tenant] = ReadQuota(new YamlFields(file, node, "quotas." + tenant));
        var admission = fields.Mapping("admission") is { } a ? ReadQuota(a) : TenantQuota.Unlimited;
        var images = fields.Mapping("images") is { } imageFields ? ReadImages(imageFields) : ImagesConfig.Default;
        var pools = PoolsSection.Read(fields, names);
        var approval = fields.Mapping("approval") is { } levels ? ReadApproval(levels) : null;
        var patterns = fields.Mapping("patterns") is { } p ? ProfileYaml.ReadPatterns(p) : [];
        var catalog = ReadCatalog(fields, profilesDir, patterns);
        fields.RejectUnknown();
        return new SandboxdConfig(file, principals, quotas, admission, socketGroup, profilesDir)
        {
            Approval = approval,
            Patterns = patterns,
            Profiles = catalog,
            Images = images,
            Pools = pools,
        };
    }

    private static ProfileCatalog ReadCatalog(YamlFields fields, string? profilesDir, IReadOnlyList<RolePattern> patterns)
    {
        if (profilesDir is not null && !Directory.Exists(profilesDir))
            throw fields.Error(fields.Node("profilesDir")!, "profilesDir", $"'{profilesDir}' is not a directory");
        var catalog = ProfileCatalog.Create(profilesDir, []);
        var patternNodes = fields.Mapping("patterns");
        foreach (var pattern in patterns)
            if (catalog.Find(pattern.Profile) is null)
                throw patternNodes!.Error(patternNodes.Node(pattern.Role)!, $"patterns.{pattern.Role}.profile",
                    $"no profile '{pattern.Profile}' (known: {string.Join(", ", catalog.Profiles.Select(x => x.Name))})");
        return ProfileCatalog.Create(profilesDir, patterns);
    }

    private static Dictionary<RiskLevel, LevelPolicy> ReadApproval(YamlFields levels)
    {
        var defaults = ApprovalMatrix.Default([]);
        var policies = new Dictionary<RiskLevel, LevelPolicy>();
        foreach (var (name, node) in levels.Entries())
        {
            var key = levels.Key(name);
            if (!Enum.TryParse<RiskLevel>(name, ignoreCase: true, out var level) || !Enum.IsDefined(level) || name.All(char.IsAsciiDigit))
                throw levels.Error(node, key, "not a risk level (low, medium, high, critical)");
            var fields = new YamlFields(levels.FileName, node, key);
            var basis = defaults.For(level);
            int? approvals = basis.Approvals;
            if (fields.String("approvals") is { } text)
                approvals = text == "all" ? null
                    : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                    : throw fields.Error(fields.Node("approvals")!, fields.Key("approvals"), $"'{text}' is not a number of approvals (or all)");
            int deny = basis.DenyThreshold;
            if (fields.String("deny") is { } d)
                deny = int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                    ? m
                    : throw fields.Error(fields.Node("deny")!, fields.Key("deny"), $"'{d}' is not a number of rejections");
            var roles = fields.Strings("roles") ?? basis.VotingRoles;
            var required = fields.Strings("requiredRoles") ?? basis.RequiredRoles;
            foreach (var role in required.Where(r => !roles.Contains(r)))
                throw fields.Error(fields.Node("requiredRoles")!, fields.Key("requiredRoles"), $"role {role} is required but may not vote at this level (roles: {string.Join(", ", roles)})");
            policies[level] = new LevelPolicy(approvals, roles, required, deny,
                fields.Duration("validity") ?? basis.Validity, fields.Duration("useWindow") ?? basis.UseWindow);
            fields.RejectUnknown();
        }
        return policies;
    }

    private static Principal ReadPrincipal(YamlFields p, List<Principal> earlier)
    {
        var name = p.String("name") ?? throw p.Missing("name", "missing: every principal has a name");
        if (earlier.Any(e => e.Name == name))
            throw p.Error(p.Node("name")!, p.Key("name"), $"'{name}' is declared twice");
        var roles = p.Strings("roles") ?? [];
        var tenant = p.String("tenant") ?? DefaultTenant;
        if (tenant.Length == 0 || tenant == AnyTenant)
            throw p.Error(p.Node("tenant")!, p.Key("tenant"), $"'{tenant}' is not a tenant name");
        var uids = new List<int>();
        var uidNodes = p.Sequence("uids") ?? [];
        for (int i = 0; i < uidNodes.Count; i++)
        {
            var key = $"{p.Key("uids")}[{i}]";
            var text = p.Scalar(uidNodes[i], key);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                throw p.Error(uidNodes[i], key, $"'{text}' is not a uid");
            if (earlier.FirstOrDefault(e => e.Uids.Contains(uid)) is { } owner)
                throw p.Error(uidNodes[i], key, $"uid {uid} already belongs to principal '{owner.Name}'");
            uids.Add(uid);
        }
        var tokens = new List<string>();
        var tokenNodes = p.Sequence("tokens") ?? [];
        for (int i = 0; i < tokenNodes.Count; i++)
        {
            var key = $"{p.Key("tokens")}[{i}]";
            var text = p.Scalar(tokenNodes[i], key).Trim().ToLowerInvariant();
            if (!text.StartsWith("sha256:", StringComparison.Ordinal) || text.Length != 7 + 64 || !text[7..].All(char.IsAsciiHexDigit))
                throw p.Error(tokenNodes[i], key, "not a token hash: 'sha256:' and 64 hex digits (`sandboxctl token hash` makes one; tokens are never stored in clear)");
            tokens.Add(text);
        }
        if (uids.Count == 0 && tokens.Count == 0)
            throw p.Missing("uids", $"principal '{name}' has neither uids nor tokens: nobody could act as it");
        var person = p.String("person") ?? name;
        p.RejectUnknown();
        return new Principal(name, person, roles, tenant, uids, tokens);
    }

    private static ImagesConfig ReadImages(YamlFields i)
    {
        var d = ImagesConfig.Default;
        long entries = d.MaxEntries;
        if (i.String("maxEntries") is { } text && !(long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out entries) && entries > 0))
            throw i.Error(i.Node("maxEntries")!, i.Key("maxEntries"), $"'{text}' is not a number of entries");
        var config = new ImagesConfig(i.Bytes("maxBytes") ?? d.MaxBytes, entries, i.Bool("keepSetuid") ?? d.KeepSetuid);
        i.RejectUnknown();
        return config;
    }

    private static TenantQuota ReadQuota(YamlFields q)
    {
        int? sandboxes = null;
        if (q.String("sandboxes") is { } text)
            sandboxes = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw q.Error(q.Node("sandboxes")!, q.Key("sandboxes"), $"'{text}' is not a number of sandboxes");
        double? cpus = null;
        if (q.String("cpus") is { } c)
            cpus = double.TryParse(c, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw q.Error(q.Node("cpus")!, q.Key("cpus"), $"'{c}' is not a number of cores");
        var quota = new TenantQuota(sandboxes, q.Bytes("memory"), cpus, q.Bytes("disk"));
        q.RejectUnknown();
        return quota;
    }
}
