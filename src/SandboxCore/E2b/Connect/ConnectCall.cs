using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sandboxd.Core.E2b.Connect;

/// <summary>Runs one Connect call: reads its request, honours Connect-Timeout-Ms, answers its
/// result or its failure in the protocol's form (unary: HTTP status + {"code","message"};
/// streams: an end frame with the error).</summary>
public static partial class ConnectCall
{
    public const string TimeoutHeader = "Connect-Timeout-Ms";

    public static async Task UnaryAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser,
        Func<TRequest, CancellationToken, Task<IMessage>> handle, ILogger log) where TRequest : IMessage<TRequest>, new()
    {
        using var deadline = Deadline(context);
        try
        {
            var request = await ConnectJson.ReadUnaryAsync(context.Request, parser, deadline.Token).ConfigureAwait(false);
            var response = await handle(request, deadline.Token).ConfigureAwait(false);
            await ConnectJson.WriteUnaryAsync(context.Response, response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left: nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await ConnectJson.WriteUnaryErrorAsync(context.Response, Failure(context, e, deadline, log)).ConfigureAwait(false);
        }
    }

    public static async Task ServerStreamAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser,
        Func<TRequest, ConnectStream, CancellationToken, Task> handle, ILogger log) where TRequest : class, IMessage<TRequest>, new()
    {
        using var deadline = Deadline(context);
        await using var stream = ConnectStream.Open(context);
        E2bError? error = null;
        try
        {
            var request = await ConnectJson.ReadEnvelopeAsync(context.Request.Body, parser, deadline.Token).ConfigureAwait(false) ?? new TRequest();
            await handle(request, stream, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Sandboxd.Isolation.Launch.InitExitedException)
        {
            // The sandbox died under the stream (killed, timed out): its connection drops, as
            // E2B's proxy drops it, and the SDK's health probe (502) then says why.
            context.Abort();
            return;
        }
        catch (Exception e) when (e is not IOException)
        {
            error = Failure(context, e, deadline, log);
        }
        try
        {
            await stream.EndAsync(error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left before the end.
        }
    }

    /// <summary>A client-streaming call: the request messages one by one, one response, the end.</summary>
    public static async Task ClientStreamAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser,
        Func<Func<CancellationToken, Task<TRequest?>>, CancellationToken, Task<IMessage>> handle, ILogger log)
        where TRequest : class, IMessage<TRequest>, new()
    {
        using var deadline = Deadline(context);
        await using var stream = ConnectStream.Open(context);
        E2bError? error = null;
        try
        {
            var response = await handle(c => ConnectJson.ReadEnvelopeAsync(context.Request.Body, parser, c), deadline.Token).ConfigureAwait(false);
            await stream.WriteAsync(response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is not IOException)
        {
            error = Failure(context, e, deadline, log);
        }
        await stream.EndAsync(error).ConfigureAwait(false);
    }

    /// <summary>The call's token: the client leaving, or its Connect-Timeout-Ms passing.</summary>
    private static CancellationTokenSource Deadline(HttpContext context)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (long.TryParse(context.Request.Headers[TimeoutHeader].ToString(), out long ms) && ms > 0)
            cts.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue)));
        return cts;
    }

    private static E2bError Failure(HttpContext context, Exception e, CancellationTokenSource deadline, ILogger log)
    {
        if (e is OperationCanceledException && deadline.IsCancellationRequested)
            return new E2bError(Grpc.Core.StatusCode.DeadlineExceeded, "the call's Connect-Timeout-Ms passed");
        var error = E2bError.From(e);
        if (!error.IsKnown)
            LogFailed(log, context.Request.Path, e);
        return error;
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "e2b call {Path} failed")]
    private static partial void LogFailed(ILogger log, string path, Exception e);
}
