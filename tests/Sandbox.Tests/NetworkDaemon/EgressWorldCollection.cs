using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The daemon-level network test classes share one <see cref="EgressWorld"/>: starting a
/// daemon, a test host and their links costs more than most of the tests in it, and every test
/// makes and destroys its own sandboxes, so nothing carries over between them.</summary>
[CollectionDefinition(Name)]
public sealed class EgressWorldCollection : ICollectionFixture<EgressWorldFixture>
{
    public const string Name = "egress world";
}
