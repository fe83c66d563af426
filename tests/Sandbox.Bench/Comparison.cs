using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>A scenario's target: a ratio of medians against a peer measured in the same run
/// (absolute times drift between runs on these machines, ratios much less), or, where the issue
/// sets one, an absolute p50. Today is the number the issue measured before this work.</summary>
public sealed record Comparison(string PeerName, double PeerP50Ms, double Target, string Today)
{
    public static Comparison Against(string peerName, Samples peer, double target, string today) =>
        new(peerName, peer.P50Ms, target, today);

    public static Comparison AtMostMs(double milliseconds, string today) => new("", 0, milliseconds, today);

    private bool Absolute => PeerP50Ms == 0;

    public double Measured(Samples subject) => Absolute ? subject.P50Ms : subject.P50Ms / PeerP50Ms;

    public bool Passes(Samples subject) => Measured(subject) <= Target;

    public string TargetText => Absolute
        ? string.Create(CultureInfo.InvariantCulture, $"≤ {Target:F1} ms")
        : string.Create(CultureInfo.InvariantCulture, $"≤ {Target:F1}× {PeerName}");

    public string MeasuredText(Samples subject) => Absolute
        ? string.Create(CultureInfo.InvariantCulture, $"{subject.P50Ms:F2} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{Measured(subject):F2}× {PeerName}");
}
