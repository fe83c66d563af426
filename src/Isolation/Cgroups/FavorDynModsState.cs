namespace Sandboxd.Isolation.Cgroups;

/// <summary>What the host's cgroup attach mode is (see <see cref="FavorDynMods"/>), and where.</summary>
public sealed record FavorDynModsState(FavorDynModsStatus Status, string? Hierarchy, string Detail);
