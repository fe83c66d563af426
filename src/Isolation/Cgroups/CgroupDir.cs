namespace Sandboxd.Isolation.Cgroups;

/// <summary>One directory of a group: on v1 one per controller mount, on v2 the only one.</summary>
/// <param name="Context">How errors name it, e.g. "cgroup v1 memory" or "cgroup v2".</param>
/// <param name="Path">The absolute cgroupfs directory.</param>
public readonly record struct CgroupDir(string Context, string Path);
