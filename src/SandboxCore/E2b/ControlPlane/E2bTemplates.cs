using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.E2b.ControlPlane;

/// <summary>E2B's templateID onto a create, looked up in this order: "base" (the SDK's default)
/// or empty is the default image under the caller's default profile; a governance profile's name
/// (the config's profile set: the built-ins low/medium/high/critical and profilesDir's) is that
/// profile, so its risk and approval apply; without an approval section also a seccomp profile
/// (default, strict); an imported image's name (`sandboxctl image import`) is that image; an
/// absolute path is an unpacked rootfs. Anything else is E2B's 404 "template 'X' not found".</summary>
public sealed class E2bTemplates(ConfigHolder config, ImageStore images)
{
    public const string Base = "base";

    public CreateSandbox Apply(CreateSandbox create, string? template)
    {
        if (template is null or "" or Base)
            return create;
        if (template.StartsWith('/'))
            return create with { Image = template };
        var current = config.Current;
        if (current.Profiles.Find(template) is not null
            || (current.Approval is null && BuiltinSandboxProfiles.Find(template) is not null))
            return create with { Profile = template };
        if (images.Exists(template))
            return create with { Image = template };
        throw new TemplateNotFoundException(template, Known(current));
    }

    private string Known(SandboxdConfig current)
    {
        var names = new List<string> { Base };
        names.AddRange(current.Profiles.Profiles.Select(p => p.Name));
        if (current.Approval is null)
            names.AddRange(BuiltinSandboxProfiles.All.Select(p => p.Name));
        names.AddRange(images.List().Select(i => i.Name));
        return string.Join(", ", names.Distinct(StringComparer.Ordinal));
    }
}

/// <summary>E2B's answer for a template it does not have: 404, "template 'X' not found".</summary>
public sealed class TemplateNotFoundException(string template, string known)
    : Exception($"template '{(template.Length > 64 ? template[..64] + "…" : template)}' not found (templates here: {known}, or an image's absolute path)")
{
    public string Template { get; } = template;
}
