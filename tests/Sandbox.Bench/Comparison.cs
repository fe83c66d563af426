namespace Sandboxd.Bench;

/// <summary>A scenario held against a peer measured in the same run, as a ratio of medians:
/// absolute times drift between runs on these machines, ratios much less.</summary>
public sealed record Comparison(string PeerName, Samples Peer, double Target)
{
    public double Ratio(Samples subject) => subject.P50Ms / Peer.P50Ms;

    public bool Passes(Samples subject) => Ratio(subject) <= Target;
}
