using Sandboxd.Api.V1;

namespace Sandboxd.Tests.Support;

/// <summary>A default sandbox on a running daemon for the length of one test body, destroyed
/// whether the body passes or throws.</summary>
public static class DaemonSandboxes
{
    public static async Task WithSandboxAsync(this DaemonProcess daemon, Func<string, Task> test)
    {
        var sandbox = await daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            await test(sandbox.Id);
        }
        finally
        {
            await daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
