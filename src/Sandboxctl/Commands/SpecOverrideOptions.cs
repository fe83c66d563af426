using System.CommandLine;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>Overrides of a profile's fields, shared by `create` and `profile assess`. `create` has
/// its own --ttl (the request's ttl_ms, which the daemon takes as the spec's TTL).</summary>
internal sealed class SpecOverrideOptions(bool withTtl = true)
{
    private readonly Option<string?> _isolation = new("--isolation") { Description = "process, container or strongest" };
    private readonly Option<string?> _filesystem = new("--filesystem") { Description = "readOnlyRoot, readWriteUpper, isolatedUpper or nothingWritable" };
    private readonly Option<string?> _seccomp = new("--seccomp") { Description = "seccomp profile: default, strict, or off" };
    private readonly Option<bool?> _userNamespace = new("--user-namespace") { Description = "true or false" };
    private readonly Option<bool?> _rootInside = new("--root-inside") { Description = "true or false" };
    private readonly Option<string?> _cpuTime = new("--cpu-time") { Description = "CPU time limit per command, e.g. 30s, 2m" };
    private readonly Option<string?> _ttl = new("--ttl") { Description = "how long the sandbox is meant to live, e.g. 1h" };
    private readonly Option<string[]> _mount = new("--mount") { Description = "a host directory SRC[:DST][:rw] (read-only unless :rw; repeatable)" };

    public IEnumerable<Option> Options => withTtl
        ? [_isolation, _filesystem, _seccomp, _userNamespace, _rootInside, _cpuTime, _ttl, _mount]
        : [_isolation, _filesystem, _seccomp, _userNamespace, _rootInside, _cpuTime, _mount];

    public void AddTo(Command command)
    {
        foreach (var option in Options)
            command.Options.Add(option);
        command.Validators.Add(r =>
        {
            foreach (var (option, name) in new[] { (_cpuTime, "--cpu-time"), (_ttl, "--ttl") })
                if (r.GetValue(option) is { } text && Seconds(text) is null)
                    r.AddError($"{name} '{text}': expected a duration of at least a second, like 30s, 2m, 1h");
        });
    }

    /// <summary>Null when no override option was given.</summary>
    public SpecOverrides? Read(ParseResult r)
    {
        var o = new SpecOverrides();
        if (r.GetValue(_isolation) is { } isolation)
            o.Isolation = isolation;
        if (r.GetValue(_filesystem) is { } filesystem)
            o.Filesystem = filesystem;
        if (r.GetValue(_seccomp) is { } seccomp)
            o.Seccomp = seccomp;
        if (r.GetValue(_userNamespace) is { } userns)
            o.UserNamespace = userns;
        if (r.GetValue(_rootInside) is { } root)
            o.RootInside = root;
        if (r.GetValue(_cpuTime) is { } cpu)
            o.CpuTimeSeconds = Seconds(cpu) ?? 0;
        if (withTtl && r.GetValue(_ttl) is { } ttl)
            o.TtlSeconds = Seconds(ttl) ?? 0;
        foreach (var mount in r.GetValue(_mount) ?? [])
        {
            var parts = mount.Split(':');
            var rw = parts.Length > 1 && parts[^1] == "rw";
            var paths = rw ? parts[..^1] : parts;
            o.Mounts.Add(new HostMount { Source = Path.GetFullPath(paths[0]), Target = paths.Length > 1 ? paths[1] : "", ReadOnly = !rw });
        }
        return o.Equals(new SpecOverrides()) ? null : o;
    }

    /// <summary>Whole seconds, at least one; null when not a duration.</summary>
    public static uint? Seconds(string text) =>
        DurationText.TryParse(text.Trim(), out var d) && d.TotalSeconds is >= 1 and <= uint.MaxValue ? (uint)d.TotalSeconds : null;
}
