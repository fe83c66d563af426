using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Prometheus;
using Sandboxd.Api.V1;
using Sandboxd.Core.Metrics;

namespace Sandboxd.Core.Api.Interceptors;

/// <summary>Times the verbs the metrics have histograms for, outermost of the interceptors, so a
/// refusal by the caller check or a mapped error is timed with its status code too.</summary>
public sealed class LatencyInterceptor(DaemonMetrics metrics) : Interceptor
{
    private readonly Dictionary<string, Histogram> _timed = new(StringComparer.Ordinal)
    {
        [PathOf(Sandboxes.Descriptor, "Create")] = metrics.Create,
        [PathOf(Sandboxes.Descriptor, "Execute")] = metrics.Exec,
        [PathOf(Executions.Descriptor, "Start")] = metrics.ExecStart,
        [PathOf(Sandboxes.Descriptor, "Destroy")] = metrics.Destroy,
    };

    /// <summary>"/sandbox.v1.Sandboxes/Create", from the generated descriptor (a renamed method fails the start).</summary>
    private static string PathOf(ServiceDescriptor service, string method) =>
        $"/{service.FullName}/{(service.FindMethodByName(method) ?? throw new InvalidOperationException($"{service.FullName} has no {method}")).Name}";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        _timed.TryGetValue(context.Method, out var histogram)
            ? Timed(histogram, context, () => continuation(request, context))
            : continuation(request, context);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!_timed.TryGetValue(context.Method, out var histogram))
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return;
        }
        await Timed(histogram, context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    private static async Task<T> Timed<T>(Histogram histogram, ServerCallContext context, Func<Task<T>> call)
    {
        long start = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            var result = await call().ConfigureAwait(false);
            code = context.Status.StatusCode;
            return result;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        finally
        {
            histogram.WithLabels(code.ToString()).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
}
