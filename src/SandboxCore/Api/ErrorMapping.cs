using Sandboxd.Api.Wire;
using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Api;

/// <summary>Which gRPC status each failure is. Unknown exceptions stay unmapped (null) and
/// reach the dispatcher, which answers INTERNAL and logs them.</summary>
public static class ErrorMapping
{
    public static RpcException? ToRpc(Exception e) => e switch
    {
        InvalidFieldException => new RpcException(StatusCode.InvalidArgument, e.Message, e),
        SandboxNotFoundException => new RpcException(StatusCode.NotFound, e.Message, e),
        ArgumentException => new RpcException(StatusCode.InvalidArgument, e.Message, e),
        CommandStartException c => new RpcException(c.ErrorNumber switch
        {
            Errno.ENOENT or Errno.ENOTDIR => StatusCode.NotFound,
            Errno.EACCES or Errno.EPERM => StatusCode.PermissionDenied,
            _ => StatusCode.FailedPrecondition,
        }, c.Message, e),
        SandboxSetupException s when s.Message.Contains("init exited", StringComparison.Ordinal) =>
            new RpcException(StatusCode.Aborted, s.Message, e),
        SandboxSetupException => new RpcException(StatusCode.FailedPrecondition, e.Message, e),
        NetworkNotEnabledException => new RpcException(StatusCode.FailedPrecondition, e.Message, e),
        // The host could not set up the sandbox's network (nft, ip, the address pool): the
        // message names the step, as for the other isolation layers.
        NetworkSetupException => new RpcException(StatusCode.FailedPrecondition, e.Message, e),
        _ => null,
    };
}
