using Grpc.Core;

namespace Sandboxd.Core.Api;

public static class CallContextExtensions
{
    private const string Key = "sandboxd.caller";

    /// <summary>The caller as <see cref="Interceptors.CallerInterceptor"/> found it.</summary>
    public static CallCorrelation Caller(this ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out object? value) && value is CallCorrelation caller
            ? caller
            : throw new InvalidOperationException("the caller interceptor did not run for " + context.Method);

    internal static void SetCaller(this ServerCallContext context, CallCorrelation caller) => context.UserState[Key] = caller;
}
