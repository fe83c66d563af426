using System.Runtime.CompilerServices;
using Grpc.Core;

namespace Sandboxd.Api.Client;

internal static class StreamCalls
{
    /// <summary>Every message of a server stream; the call is disposed (cancelled if still
    /// running) when the caller leaves the loop.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(AsyncServerStreamingCall<T> call,
        [EnumeratorCancellation] CancellationToken cancel = default)
    {
        using (call)
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancel).ConfigureAwait(false))
                yield return message;
        }
    }
}
