using System.Reflection;
using Sandboxd.Core.Orchestration;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Architecture;

/// <summary>The seam between the API and the rest (ARCHITECTURE.md, "Layers inside the daemon"):
/// the API layers (src/SandboxCore/Api, and E2B's front end in src/SandboxCore/E2b) map the
/// generated Sandboxd.Api.V1 messages to domain records and back; below them nothing names them.</summary>
public sealed class ApiSeamTests
{
    private const string ApiNamespace = "Sandboxd.Api.V1";

    /// <summary>Folders of SandboxCore below the API, and the namespaces their types live in.</summary>
    private static readonly string[] DomainFolders = ["Orchestration", "State", "Network", "Metrics"];

    private static readonly string[] DomainNamespaces = ["Sandboxd.Core.Orchestration", "Sandboxd.Core.State", "Sandboxd.Core.Network", "Sandboxd.Core.Metrics"];

    [Fact]
    public void No_source_below_the_api_names_the_generated_types()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "SandboxCore");
        var offenders = DomainFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => File.ReadAllText(file).Contains(ApiNamespace, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(RepoPaths.Root, file))
            .ToList();
        Assert.True(offenders.Count == 0, $"{ApiNamespace} is the API layer's: map it in src/SandboxCore/Api/Mapping instead of using it in\n  "
            + string.Join("\n  ", offenders));
    }

    [Fact]
    public void No_domain_type_has_a_generated_type_in_its_signatures()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(Orchestrator).Assembly.GetTypes().Where(t => DomainNamespaces.Any(n => InNamespace(t, n))))
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            if (type.BaseType is { } b && Names(b))
                offenders.Add($"{type.FullName}: base {b.Name}");
            offenders.AddRange(type.GetInterfaces().Where(Names).Select(i => $"{type.FullName}: implements {i.Name}"));
            offenders.AddRange(type.GetFields(all).Where(f => Names(f.FieldType)).Select(f => $"{type.FullName}.{f.Name}: {f.FieldType.Name}"));
            offenders.AddRange(type.GetProperties(all).Where(p => Names(p.PropertyType)).Select(p => $"{type.FullName}.{p.Name}: {p.PropertyType.Name}"));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method is MethodInfo m && Names(m.ReturnType))
                    offenders.Add($"{type.FullName}.{method.Name} returns {m.ReturnType.Name}");
                offenders.AddRange(method.GetParameters().Where(p => Names(p.ParameterType))
                    .Select(p => $"{type.FullName}.{method.Name}({p.Name}: {p.ParameterType.Name})"));
            }
        }
        Assert.True(offenders.Count == 0, "domain types with API messages in their signatures:\n  " + string.Join("\n  ", offenders.Distinct()));
    }

    /// <summary>Isolation, Audit and Governance are below the seam altogether: they do not even reference the API's assembly.</summary>
    [Theory]
    [InlineData(typeof(Sandboxd.Isolation.Launch.SandboxLauncher))]
    [InlineData(typeof(Sandboxd.Audit.IAuditSink))]
    [InlineData(typeof(Sandboxd.Governance.Approval.ApprovalEngine))]
    public void Layers_below_the_daemon_do_not_reference_the_api(Type layer)
    {
        var api = typeof(Sandboxd.Api.V1.Sandbox).Assembly.GetName().Name;
        Assert.DoesNotContain(layer.Assembly.GetReferencedAssemblies(), a => a.Name == api);
    }

    /// <summary>Compiler-made nested types (async state machines, closures) count as their declaring type's.</summary>
    private static bool InNamespace(Type t, string ns) => t.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    private static bool Names(Type t)
    {
        if (t.HasElementType)
            return Names(t.GetElementType()!);
        if (t.Namespace == ApiNamespace)
            return true;
        return t.IsGenericType && t.GetGenericArguments().Any(Names);
    }
}
