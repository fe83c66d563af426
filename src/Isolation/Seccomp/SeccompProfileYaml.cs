using System.Globalization;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sandboxd.Isolation.Seccomp;

/// <summary>Reads and writes seccomp profiles as YAML (profiles/seccomp/*.yaml):
/// <code>
/// name: default
/// include: [argument-denials]  # rule files beside this one, their rules first
/// defaultAction: allow          # allow | errno | kill | log | userNotif | trap
/// archMismatchAction: kill      # i386 and x32 calls; kill unless said otherwise
/// syscalls:
///   - names: [mount, umount2]
///     action: errno
///     errno: EPERM
///   - names: [clone]
///     action: errno
///     errno: EPERM
///     args:
///       - { index: 0, op: maskedNotEqual, value: 0x0, mask: 0x7e020080 }
/// </code>
/// Errors name the rule and field, as a <see cref="SeccompCompileException"/>.</summary>
public static class SeccompProfileYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public static SeccompProfile LoadFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Load(File.ReadAllText(path), include => File.ReadAllText(Path.Combine(dir, include + ".yaml")));
    }

    /// <param name="readInclude">The text of an included rule file by name; null: includes are refused.</param>
    public static SeccompProfile Load(string yaml, Func<string, string>? readInclude = null)
    {
        var document = Parse(yaml, "seccomp profile");
        var name = document.Name;
        var rules = new List<SyscallRule>();
        foreach (var include in document.Include ?? [])
        {
            var where = $"{name}: include '{include}'";
            if (include.Length == 0 || !include.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new SeccompCompileException($"{where}: a file name beside the profile, without a directory or \".yaml\"");
            if (readInclude is null)
                throw new SeccompCompileException($"{where}: this profile was not loaded from a file, so it cannot include one");
            var fragment = Parse(ReadInclude(readInclude, include, where), where);
            if (fragment.Include is { Count: > 0 })
                throw new SeccompCompileException($"{where}: an included file cannot include others");
            rules.AddRange(ToRules(fragment.Syscalls, $"{name}: {include}"));
        }

        rules.AddRange(ToRules(document.Syscalls, name));
        var defaultAction = ParseAction(document.DefaultAction, $"{name}: defaultAction");
        var archAction = document.ArchMismatchAction is null
            ? SeccompAction.Kill
            : ParseAction(document.ArchMismatchAction, $"{name}: archMismatchAction");
        return new SeccompProfile(name, defaultAction, ParseErrno(defaultAction, document.DefaultErrno, $"{name}: defaultErrno"), rules)
        {
            ArchMismatchAction = archAction,
            ArchMismatchErrno = ParseErrno(archAction, document.ArchMismatchErrno, $"{name}: archMismatchErrno"),
        };
    }

    /// <summary>Writes <paramref name="profile"/>; consecutive rules with the same verdict and
    /// filters share one entry, so the file reads like the profile was written.</summary>
    public static string Save(SeccompProfile profile)
    {
        var document = new SeccompProfileDocument
        {
            Name = profile.Name,
            DefaultAction = FormatAction(profile.DefaultAction),
            DefaultErrno = FormatErrno(profile.DefaultAction, profile.DefaultErrno),
            ArchMismatchAction = FormatAction(profile.ArchMismatchAction),
            ArchMismatchErrno = FormatErrno(profile.ArchMismatchAction, profile.ArchMismatchErrno),
        };
        SyscallRule? previous = null;
        foreach (var rule in profile.Rules)
        {
            if (previous is not null && previous.Action == rule.Action && previous.Errno == rule.Errno
                && previous.Args.SequenceEqual(rule.Args))
            {
                document.Syscalls[^1].Names.Add(rule.Name);
                continue;
            }

            document.Syscalls.Add(new SeccompRuleDocument
            {
                Names = [rule.Name],
                Action = FormatAction(rule.Action),
                Errno = FormatErrno(rule.Action, rule.Errno),
                Args = rule.Args.Count == 0 ? null : [.. rule.Args.Select(ToDocument)],
            });
            previous = rule;
        }

        return Serializer.Serialize(document);
    }

    private static SeccompProfileDocument Parse(string yaml, string what)
    {
        try
        {
            return Deserializer.Deserialize<SeccompProfileDocument>(yaml)
                ?? throw new SeccompCompileException($"{what}: empty");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SeccompCompileException($"{what} YAML, line {e.Start.Line}: {e.Message}", e);
        }
    }

    private static string ReadInclude(Func<string, string> readInclude, string include, string where)
    {
        try
        {
            return readInclude(include);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SeccompCompileException($"{where}: {e.Message}", e);
        }
    }

    private static IEnumerable<SyscallRule> ToRules(List<SeccompRuleDocument> entries, string source)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var where = $"{source}: syscalls[{i}]";
            var action = ParseAction(entry.Action, where);
            var errno = ParseErrno(action, entry.Errno, where);
            var args = (entry.Args ?? []).Select(arg => ToFilter(arg, where)).ToArray();
            foreach (var syscall in entry.Names)
                yield return new SyscallRule(syscall, action, errno, args);
        }
    }

    private static SeccompAction ParseAction(string? text, string where) =>
        !string.IsNullOrEmpty(text) && Enum.TryParse<SeccompAction>(text, ignoreCase: true, out var action) && Enum.IsDefined(action) && !char.IsAsciiDigit(text[0])
            ? action
            : throw new SeccompCompileException(
                $"{where}: unknown action '{text}' (one of {string.Join(", ", Enum.GetNames<SeccompAction>().Select(Camel))})");

    private static int ParseErrno(SeccompAction action, string? text, string where)
    {
        if (action != SeccompAction.Errno)
            return 0;
        return text is null
            ? throw new SeccompCompileException($"{where}: action errno needs an errno")
            : Errno.TryParse(text, out var errno) ? errno
            : throw new SeccompCompileException($"{where}: unknown errno '{text}' (use a number or a name like EPERM)");
    }

    private static ArgFilter ToFilter(ArgFilterDocument arg, string where)
    {
        if (string.IsNullOrEmpty(arg.Op) || !Enum.TryParse<ArgOp>(arg.Op, ignoreCase: true, out var op) || !Enum.IsDefined(op) || char.IsAsciiDigit(arg.Op[0]))
            throw new SeccompCompileException($"{where}: unknown op '{arg.Op}' (one of {string.Join(", ", Enum.GetNames<ArgOp>().Select(Camel))})");
        var value = ParseNumber(arg.Value, $"{where}: value");
        var mask = arg.Mask is null ? ulong.MaxValue : ParseNumber(arg.Mask, $"{where}: mask");
        return new ArgFilter(arg.Index, op, value, mask);
    }

    private static ArgFilterDocument ToDocument(ArgFilter filter) => new()
    {
        Index = filter.Index,
        Op = Camel(filter.Op.ToString()),
        Value = "0x" + filter.Value.ToString("x", CultureInfo.InvariantCulture),
        Mask = filter.Op is ArgOp.MaskedEqual or ArgOp.MaskedNotEqual
            ? "0x" + filter.Mask.ToString("x", CultureInfo.InvariantCulture)
            : null,
    };

    private static ulong ParseNumber(string text, string where)
    {
        var trimmed = text.Trim().Replace("_", "", StringComparison.Ordinal);
        var (digits, style, radix) = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (trimmed[2..], NumberStyles.AllowHexSpecifier, 16)
            : trimmed.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? (trimmed[2..], NumberStyles.None, 8)
            : (trimmed, NumberStyles.None, 10);
        try
        {
            if (radix == 8)
                return Convert.ToUInt64(digits, 8);
            return ulong.Parse(digits, style, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new SeccompCompileException($"{where}: '{text}' is not a number (decimal, 0x hex or 0o octal)", e);
        }
    }

    private static string FormatAction(SeccompAction action) => Camel(action.ToString());

    private static string? FormatErrno(SeccompAction action, int errno) =>
        action == SeccompAction.Errno
            ? Errno.TryGetName(errno, out var name) ? name : errno.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
