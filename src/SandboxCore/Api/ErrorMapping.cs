using Grpc.Core;
using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Api;

/// <summary>Which gRPC status each failure is. Unknown exceptions stay unmapped (null): the
/// error interceptor answers INTERNAL and logs them.</summary>
public static class ErrorMapping
{
    public static Status? ToStatus(Exception e) => e switch
    {
        InvalidFieldException => new Status(StatusCode.InvalidArgument, e.Message),
        SandboxNotFoundException => new Status(StatusCode.NotFound, e.Message),
        ImageImportException i => new Status(i.Error == ImageImportError.TooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, e.Message),
        ImageNotFoundException => new Status(StatusCode.NotFound, "image: " + e.Message),
        ImageExistsException => new Status(StatusCode.AlreadyExists, e.Message),
        ImageInUseException => new Status(StatusCode.FailedPrecondition, e.Message),
        QuotaExceededException => new Status(StatusCode.ResourceExhausted, e.Message),
        Orchestration.Executions.ExecutionNotFoundException => new Status(StatusCode.NotFound, e.Message),
        Orchestration.Executions.ExecutionStateException => new Status(StatusCode.FailedPrecondition, e.Message),
        ArgumentException => new Status(StatusCode.InvalidArgument, e.Message),
        CommandStartException c => new Status(c.ErrorNumber switch
        {
            Errno.ENOENT or Errno.ENOTDIR => StatusCode.NotFound,
            Errno.EACCES or Errno.EPERM => StatusCode.PermissionDenied,
            _ => StatusCode.FailedPrecondition,
        }, c.Message),
        SandboxFileException f => new Status(f.ErrorNumber switch
        {
            Errno.ENOENT => StatusCode.NotFound,
            Errno.EEXIST => StatusCode.AlreadyExists,
            Errno.EACCES or Errno.EPERM or 30 => StatusCode.PermissionDenied,
            28 or 122 or 27 => StatusCode.ResourceExhausted,
            _ => StatusCode.FailedPrecondition,
        }, f.Message),
        InitExitedException => new Status(StatusCode.Aborted, e.Message),
        SandboxSetupException => new Status(StatusCode.FailedPrecondition, e.Message),
        SandboxStateException => new Status(StatusCode.FailedPrecondition, e.Message),
        NetworkNotEnabledException => new Status(StatusCode.FailedPrecondition, e.Message),
        // The host could not set up the sandbox's network (nft, ip, the address pool): the
        // message names the step, as for the other isolation layers.
        NetworkSetupException => new Status(StatusCode.FailedPrecondition, e.Message),
        Sandboxd.Governance.GovernanceException g => new Status(GovernanceStatus(g.Error), e.Message),
        _ => null,
    };

    private static StatusCode GovernanceStatus(Sandboxd.Governance.GovernanceError error) => error switch
    {
        Sandboxd.Governance.GovernanceError.ProposalNotFound => StatusCode.NotFound,
        Sandboxd.Governance.GovernanceError.SelfVote or Sandboxd.Governance.GovernanceError.NotEligible => StatusCode.PermissionDenied,
        Sandboxd.Governance.GovernanceError.ReasonRequired or Sandboxd.Governance.GovernanceError.UnknownProfile => StatusCode.InvalidArgument,
        _ => StatusCode.FailedPrecondition,
    };
}
