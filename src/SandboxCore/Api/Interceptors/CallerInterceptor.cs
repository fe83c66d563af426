using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Sandboxd.Core.Api.Interceptors;

/// <summary>Authenticates every call and records who made it. Unix-socket callers pass (the
/// socket's mode decides who can connect) and are known by their uid; a TCP caller must present
/// the configured bearer token, compared in constant time.</summary>
public sealed class CallerInterceptor(ApiOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        bool overTcp = http.Connection.RemoteIpAddress is not null;
        if (overTcp && !TokenMatches(http.Request.Headers.Authorization.ToString()))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a bearer token is required on TCP (authorization: Bearer …)"));
        var caller = CallCorrelation.From(context.RequestHeaders, overTcp ? null : PeerCredentials.Uid(http));
        context.SetCaller(caller);
        // Ambient for the events the call causes: set here, it flows into the handler's awaits only.
        CallCorrelation.Current = caller;
    }

    private bool TokenMatches(string presented)
    {
        if (options.TcpToken is not { Length: > 0 } token)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes("Bearer " + token), Encoding.UTF8.GetBytes(presented));
    }
}
