using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.Daemon;

/// <summary>One daemon shared by a test class; started only where root is (the tests skip otherwise).</summary>
public sealed class DaemonFixture : IDisposable
{
    private readonly Lazy<DaemonProcess> _daemon = new(() => new DaemonProcess());

    public DaemonProcess Daemon => _daemon.Value;

    public void Dispose()
    {
        if (_daemon.IsValueCreated)
            _daemon.Value.Dispose();
    }
}
