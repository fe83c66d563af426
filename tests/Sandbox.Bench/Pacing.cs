namespace Sandboxd.Bench;

/// <summary>How runs follow each other. Idle matters: on these machines a cgroup join after
/// ~20+ ms of quiet costs 4–16 ms more than one right after another (ARCHITECTURE.md, "The
/// performance floor"), so back-to-back numbers alone flatter a design.</summary>
public sealed record Pacing(string Name, TimeSpan Idle)
{
    public static readonly Pacing BackToBack = new("back to back", TimeSpan.Zero);

    public static readonly Pacing Idle100Ms = new("100 ms idle", TimeSpan.FromMilliseconds(100));

    public static IReadOnlyList<Pacing> Both { get; } = [BackToBack, Idle100Ms];
}
