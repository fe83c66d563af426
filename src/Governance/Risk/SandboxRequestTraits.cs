namespace Sandboxd.Governance.Risk;

/// <summary>What of a create request bears on its risk.</summary>
public sealed record SandboxRequestTraits(bool CustomImage, bool NetworkEgress, bool HostMounts, bool RelaxedSeccomp);
