using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.Api.Interceptors;

/// <summary>Authenticates every call as one of the config's principals and records who made it:
/// a Unix-socket caller by its peer uid (SO_PEERCRED), a TCP caller by its bearer token (its
/// SHA-256 compared in constant time with the config's, or --token-file's token, an admin).
/// Anyone else is UNAUTHENTICATED.</summary>
public sealed class CallerInterceptor(ApiOptions options, ConfigHolder config) : Interceptor
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
        int? uid = overTcp ? null : PeerCredentials.Uid(http);
        var principal = overTcp ? ByToken(http.Request.Headers.Authorization.ToString()) : ByUid(uid);
        var caller = CallCorrelation.From(context.RequestHeaders, uid, principal);
        context.SetCaller(caller);
        // Ambient for the events the call causes: set here, it flows into the handler's awaits only.
        CallCorrelation.Current = caller;
    }

    private Principal ByUid(int? uid)
    {
        if (uid is not { } u)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the peer's uid could not be read (SO_PEERCRED)"));
        return config.Current.ForUid(u)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, $"uid {u} is not a principal of {config.Current.Source}"));
    }

    private Principal ByToken(string authorization)
    {
        const string Bearer = "Bearer ";
        if (!authorization.StartsWith(Bearer, StringComparison.Ordinal) || authorization.Length == Bearer.Length)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a bearer token is required on TCP (authorization: Bearer …)"));
        string token = authorization[Bearer.Length..];
        if (config.Current.ForToken(token) is { } principal)
            return principal;
        if (options.TcpToken is { Length: > 0 } legacy
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(legacy), Encoding.UTF8.GetBytes(token)))
            return TokenFileAdmin;
        throw new RpcException(new Status(StatusCode.Unauthenticated, "the bearer token is not one of " + config.Current.Source));
    }

    /// <summary>--token-file's token: the daemon's admin, as before principals existed.</summary>
    private static readonly Principal TokenFileAdmin = new("token-file", "token-file", [Principal.AdminRole], SandboxdConfig.DefaultTenant, [], []);
}
