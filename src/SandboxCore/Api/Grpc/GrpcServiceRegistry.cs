using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>The methods the dispatcher serves, by full path ("/package.Service/Method").
/// Filled at startup, read concurrently afterwards.</summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, GrpcMethod> _methods = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Methods => _methods.Keys;

    public GrpcServiceRegistry AddUnary<TRequest, TResponse>(
        string fullMethod, MessageParser<TRequest> parser, Func<TRequest, GrpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        Add(fullMethod, new UnaryMethod<TRequest, TResponse>(parser, handler));

    public GrpcServiceRegistry AddServerStreaming<TRequest, TResponse>(
        string fullMethod, MessageParser<TRequest> parser, Func<TRequest, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        Add(fullMethod, new ServerStreamingMethod<TRequest, TResponse>(parser, handler));

    internal bool TryGet(string path, [NotNullWhen(true)] out GrpcMethod? method) =>
        _methods.TryGetValue(path, out method);

    private GrpcServiceRegistry Add(string fullMethod, GrpcMethod method)
    {
        if (!fullMethod.StartsWith('/') || fullMethod.Count(c => c == '/') != 2)
            throw new ArgumentException($"'{fullMethod}' is not a full method path like /package.Service/Method", nameof(fullMethod));
        if (!_methods.TryAdd(fullMethod, method))
            throw new ArgumentException($"{fullMethod} is already registered", nameof(fullMethod));
        return this;
    }
}
