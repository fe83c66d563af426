using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.E2b.ControlPlane;

/// <summary>E2B's templateID onto a create: "base" (the SDK's default) or empty is the default
/// image and profile; the name of a profile is that profile; an absolute path is an image.</summary>
public static class E2bTemplates
{
    public const string Base = "base";

    public static CreateSandbox Apply(CreateSandbox create, string? template)
    {
        if (template is null or "" or Base)
            return create;
        if (template.StartsWith('/'))
            return create with { Image = template };
        if (BuiltinSandboxProfiles.Find(template) is null)
            throw new InvalidFieldException("templateID",
                $"'{(template.Length > 64 ? template[..64] + "…" : template)}' is not a template here (use {Base}, a profile: "
                + string.Join(", ", BuiltinSandboxProfiles.All.Select(p => p.Name)) + ", or an image's absolute path)");
        return create with { Profile = template };
    }
}
