using Grpc.Core;
using Sandboxd.Core.Api;

namespace Sandboxd.Core.E2b;

/// <summary>A failure as E2B's clients read it: the daemon's own mapping of its exceptions to
/// gRPC codes (ErrorMapping, one place), then each code as an HTTP status for the control plane
/// and as a Connect code for envd. Unknown exceptions are INTERNAL (the caller logs them).</summary>
public readonly record struct E2bError(StatusCode Code, string Message)
{
    public static E2bError From(Exception e) => e switch
    {
        RpcException rpc => new(rpc.StatusCode, rpc.Status.Detail),
        ControlPlane.TemplateNotFoundException => new(StatusCode.NotFound, e.Message),
        _ when ErrorMapping.ToStatus(e) is { } status => new(status.StatusCode, status.Detail),
        _ => new(StatusCode.Internal, "internal error: " + e.GetType().Name),
    };

    public bool IsKnown => Code != StatusCode.Internal && Code != StatusCode.Unknown;

    /// <summary>The control plane's HTTP status (E2B's API: 400, 401, 403, 404, 409, 429, 500).</summary>
    public int HttpStatus => Code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.Aborted => 409,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };

    /// <summary>The Connect protocol's name of the code.</summary>
    public string ConnectCode => Code switch
    {
        StatusCode.Cancelled => "canceled",
        StatusCode.InvalidArgument => "invalid_argument",
        StatusCode.DeadlineExceeded => "deadline_exceeded",
        StatusCode.NotFound => "not_found",
        StatusCode.AlreadyExists => "already_exists",
        StatusCode.PermissionDenied => "permission_denied",
        StatusCode.ResourceExhausted => "resource_exhausted",
        StatusCode.FailedPrecondition => "failed_precondition",
        StatusCode.Aborted => "aborted",
        StatusCode.OutOfRange => "out_of_range",
        StatusCode.Unimplemented => "unimplemented",
        StatusCode.Unavailable => "unavailable",
        StatusCode.DataLoss => "data_loss",
        StatusCode.Unauthenticated => "unauthenticated",
        StatusCode.Internal => "internal",
        _ => "unknown",
    };

    /// <summary>The Connect protocol's HTTP status for a unary error.</summary>
    public int ConnectHttpStatus => Code switch
    {
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.Unauthenticated => 401,
        _ => 500,
    };

    /// <summary>envd's plain HTTP routes (/files): 507 for a full disk, as envd answers.</summary>
    public int EnvdHttpStatus => Code == StatusCode.ResourceExhausted ? 507 : HttpStatus == 409 ? 400 : HttpStatus;
}
